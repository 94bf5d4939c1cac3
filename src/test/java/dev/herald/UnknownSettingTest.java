package dev.herald;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.testing.TestHub;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A hub given a setting it does not declare refuses to start, naming it, instead of ignoring it. */
class UnknownSettingTest {

    @Test
    void aMisspeltSettingStopsTheStart() {
        assertThatThrownBy(() -> TestHub.start(Map.of("herald.publish.mod", "outbox")))
                .hasStackTraceContaining("unknown setting herald.publish.mod")
                .hasStackTraceContaining("did you mean herald.publish.mode");
    }
}
