package dev.herald.bridge.webhook;

import dev.herald.bridge.webhook.TargetGuard.RefusedTarget;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.TimeoutException;

/** How one webhook attempt ended: the answer (status, start of the body) or the error. */
record Outcome(Integer status, String excerpt, String error, Duration retryAfter, boolean refusedForGood) {

    boolean succeeded() {
        return status != null && status >= 200 && status < 300;
    }

    /** For the dead letter: the status (or error) and the start of the response body. */
    String lastAnswer() {
        return excerpt == null || excerpt.isEmpty() ? error
                : error + ": " + (excerpt.length() > 500 ? excerpt.substring(0, 500) + "..." : excerpt);
    }

    static Outcome of(HttpResponse<String> response, Throwable failure, Duration timeout) {
        if (response != null) {
            int status = response.statusCode();
            Duration retryAfter = status == 429 || status == 503
                    ? retryAfter(response.headers().firstValue("retry-after").orElse(null)) : null;
            return new Outcome(status, response.body(), "HTTP " + status, retryAfter, false);
        }
        if (failure instanceof TimeoutException || failure instanceof HttpTimeoutException) {
            return new Outcome(null, null, "no answer within " + timeout.toMillis() + " ms", null, false);
        }
        boolean forGood = failure instanceof TooLarge;
        String error = failure instanceof RefusedTarget ? "refused target: " + failure.getMessage()
                : failure.getMessage() == null ? failure.getClass().getSimpleName()
                : failure.getClass().getSimpleName() + ": " + failure.getMessage();
        return new Outcome(null, null, error, null, forGood);
    }

    /** Retry-After as delta-seconds or an HTTP date; null when absent or unreadable. */
    static Duration retryAfter(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return Duration.ofSeconds(Math.max(0, Long.parseLong(value.strip())));
        } catch (NumberFormatException notSeconds) {
            try {
                Duration wait = Duration.between(Instant.now(),
                        ZonedDateTime.parse(value.strip(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
                return wait.isNegative() ? Duration.ZERO : wait;
            } catch (java.time.format.DateTimeParseException unreadable) {
                return null;
            }
        }
    }

    /** A request too large to send to anyone: dead-lettered at once. */
    static final class TooLarge extends RuntimeException {
        TooLarge(String message) {
            super(message);
        }
    }
}
