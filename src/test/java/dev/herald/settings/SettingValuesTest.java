package dev.herald.settings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.testing.TestHub;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A setting's text is read as its kind; one that is not stops the start naming the setting, the text and the rule. */
class SettingValuesTest {

    @Test
    void aBadValueStopsARealHubsStartNamingIt() {
        assertThatThrownBy(() -> TestHub.start(Map.of("herald.publish.lanes", "two")).close())
                .hasStackTraceContaining("herald.publish.lanes is 'two' (from overrides): expected a whole number >= 1");
        assertThatThrownBy(() -> TestHub.start(Map.of("herald.publish.mode", "fast")).close())
                .hasStackTraceContaining("herald.publish.mode is 'fast'")
                .hasStackTraceContaining("expected one of sync, outbox");
    }

    @Test
    void eachKindTakesWhatItShouldAndRefusesTheRest() {
        accepts(Kind.count(1), "1", 1);
        refuses(Kind.count(1), "0", "-3", "1.5", "two", "");
        accepts(Kind.size(0), "9000000000", 9_000_000_000L);
        accepts(Kind.millis(), "250", Duration.ofMillis(250));
        refuses(Kind.millis(), "-1", "5s");
        accepts(Kind.flag(), "false", false);
        refuses(Kind.flag(), "yes", "TRUE", "");
        accepts(Kind.decimal(0, 1), "0.2", 0.2);
        refuses(Kind.decimal(0, 1), "1.5", "-0.1", "a fifth");
        accepts(Kind.oneOf("sync", "outbox"), "outbox", "outbox");
        refuses(Kind.oneOf("sync", "outbox"), "Sync", "");
        accepts(Kind.list(), " a, ,b ", List.of("a", "b"));
        accepts(Kind.millisList(), "0,5000", List.of(Duration.ZERO, Duration.ofSeconds(5)));
        refuses(Kind.millisList(), "", "0,soon");
        accepts(Kind.port(), "", "");
        accepts(Kind.port(), "0", "0");
        refuses(Kind.port(), "65536", "-1", "http");
        accepts(Kind.url("amqp://", "amqps://"), "", "");
        refuses(Kind.url("jdbc:postgresql:"), "postgres://localhost/db");
        refuses(Kind.required(), "");
    }

    private static <T> void accepts(Kind<T> kind, String text, T value) {
        assertThat(kind.parse().apply(text)).as(text).isEqualTo(value);
    }

    private static void refuses(Kind<?> kind, String... texts) {
        for (String text : texts) {
            assertThatThrownBy(() -> kind.parse().apply(text)).as("'" + text + "' for " + kind.expected())
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }
}
