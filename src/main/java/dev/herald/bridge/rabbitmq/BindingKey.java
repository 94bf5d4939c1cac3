package dev.herald.bridge.rabbitmq;

/**
 * An AMQP topic-exchange binding key ({@code customer.*}, {@code order.#}) matched as RabbitMQ matches it:
 * words split on dots, {@code *} is exactly one word, {@code #} zero or more. The bridge needs the same
 * answer as the broker to know which declared consumers an event is for (per-consumer metrics, and whether
 * a return means a declared queue went missing).
 */
record BindingKey(String pattern) {

    boolean matches(String routingKey) {
        return matches(pattern.split("\\.", -1), 0, routingKey.split("\\.", -1), 0);
    }

    private static boolean matches(String[] pattern, int p, String[] words, int w) {
        if (p == pattern.length) {
            return w == words.length;
        }
        if (pattern[p].equals("#")) {
            for (int skip = w; skip <= words.length; skip++) {
                if (matches(pattern, p + 1, words, skip)) {
                    return true;
                }
            }
            return false;
        }
        return w < words.length && (pattern[p].equals("*") || pattern[p].equals(words[w]))
                && matches(pattern, p + 1, words, w + 1);
    }
}
