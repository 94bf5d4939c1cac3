package dev.herald.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.testing.CustomerWriters;
import dev.herald.testing.Engines;
import dev.herald.testing.Invariants.Summary;
import dev.herald.testing.Invariants;
import dev.herald.testing.TcpProxy;
import dev.herald.testing.TestHub;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL cut mid-stream (every connection dropped through a TCP proxy) while commands flow: refused
 * commands keep nothing and publish nothing, accepted ones are kept and published, and the hub recovers.
 */
class DatabaseOutageTest {

    @Test
    void aDatabaseCutUnderLoadLosesNoAcceptedCommandAndKeepsNoRefusedOne() throws Exception {
        Engines engines = Engines.get();
        String direct = engines.freshSchema();
        URI server = URI.create(direct.substring("jdbc:".length()));
        try (TcpProxy proxy = new TcpProxy(server.getHost(), server.getPort());
                TestHub hub = TestHub.start(Map.of("herald.db.url",
                        direct.replace(server.getHost() + ":" + server.getPort(), "127.0.0.1:" + proxy.port()),
                        "herald.relay.interval", "200"));
                CustomerWriters writers = new CustomerWriters(4, () -> hub.http)) {
            await().atMost(Duration.ofSeconds(30)).until(() -> writers.accepted() >= 20);
            proxy.cut();
            await().atMost(Duration.ofSeconds(60)).until(() -> writers.refused() >= 5);
            proxy.restore();
            int before = writers.accepted();
            await().atMost(Duration.ofSeconds(60)).until(() -> writers.accepted() >= before + 20);

            Summary summary = Invariants.of(direct, engines.user(), engines.password(), hub.brokers())
                    .faults(proxy::faults).check(writers.stop());
            assertThat(summary.violations()).isEmpty();
            assertThat(summary.refused()).isPositive();
        }
    }
}
