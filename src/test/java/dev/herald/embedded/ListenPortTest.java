package dev.herald.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.IntPredicate;
import org.junit.jupiter.api.Test;

/** The rule an embedded engine's port setting follows (ListenPort): conventional when free, else loud. */
class ListenPortTest {

    private static final String SETTING = "herald.kafka.embedded-port";
    private final List<String> warnings = new ArrayList<>();

    private int choose(String value, int conventional, Set<Integer> taken) {
        IntPredicate free = port -> !taken.contains(port);
        return ListenPort.choose(SETTING, value, conventional, free, () -> 40_001, warnings::add);
    }

    @Test
    void emptyTakesTheConventionalPortWhenItIsFree() {
        assertThat(choose("", 9092, Set.of())).isEqualTo(9092);
        assertThat(choose(null, 9092, Set.of(5672))).isEqualTo(9092);
        assertThat(warnings).isEmpty();
    }

    @Test
    void emptyFallsBackToAnyFreePortWithAWarningNamingBothPorts() {
        assertThat(choose(" ", 5672, Set.of(5672))).isEqualTo(40_001);
        assertThat(warnings).singleElement().asString()
                .contains("5672", "40001", SETTING, "TAKEN");
    }

    @Test
    void anExplicitPortThatIsTakenFailsNamingTheSetting() {
        assertThatThrownBy(() -> choose("5672", 9092, Set.of(5672)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(SETTING + "=5672").hasMessageContaining("in use");
        assertThat(warnings).isEmpty();
    }

    @Test
    void anExplicitFreePortIsTakenAsIs() {
        assertThat(choose("9300", 9092, Set.of(9092))).isEqualTo(9300);
        assertThat(warnings).isEmpty();
    }

    @Test
    void zeroMeansAnyFreePortWithoutAWarning() {
        assertThat(choose("0", 9092, Set.of())).isEqualTo(40_001);
        assertThat(warnings).isEmpty();
    }

    @Test
    void aValueThatIsNoPortIsRefusedNamingTheSetting() {
        for (String bad : List.of("x", "-1", "70000")) {
            assertThatThrownBy(() -> choose(bad, 9092, Set.of())).hasMessageContaining(SETTING);
        }
    }

    @Test
    void onRealSocketsABoundPortIsTakenAndZeroGivesAFreeOne() throws Exception {
        try (ServerSocket held = new ServerSocket(0, 0, InetAddress.getByName("127.0.0.1"))) {
            int port = held.getLocalPort();
            assertThat(ListenPort.isFree(port)).isFalse();
            int other = ListenPort.choose(SETTING, "", port);
            assertThat(other).isNotEqualTo(port);
            assertThat(ListenPort.isFree(other)).isTrue();
            assertThatThrownBy(() -> ListenPort.choose(SETTING, String.valueOf(port), 9092))
                    .hasMessageContaining(SETTING + "=" + port);
            assertThat(ListenPort.isFree(ListenPort.choose(SETTING, "0", 9092))).isTrue();
        }
    }
}
