package dev.herald.bridge.rabbitmq;

import java.util.Arrays;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The legacy {@code event_type} of each event type: declared in the bridge file ({@code legacy-names}), else
 * derived ({@code customer.created} -> {@code CustomerCreated}).
 */
record LegacyNames(Map<String, String> declared) {

    String of(String eventType) {
        String name = declared.get(eventType);
        return name != null ? name : Arrays.stream(eventType.split("[._-]"))
                .filter(word -> !word.isEmpty())
                .map(word -> Character.toUpperCase(word.charAt(0)) + word.substring(1))
                .collect(Collectors.joining());
    }
}
