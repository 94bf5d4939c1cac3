package dev.herald.cdc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.testing.HubHome;
import dev.herald.testing.TestHub;
import dev.herald.testing.TopicReader;
import io.cloudevents.CloudEvent;
import java.nio.file.Path;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.support.EventNotifierSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A hub stopped while a CDC source retries a change it could not store (the inbox table locked by another
 * transaction, past the publish timeout): the change is not confirmed, and the next start on the same data
 * directory stores it, once.
 */
class CdcStopTest {

    @Test
    void aChangeStillRetriedWhenTheHubStopsIsStoredAfterTheRestart(@TempDir Path temp) throws Exception {
        String topic = "legacy-stop-" + UUID.randomUUID();
        HubHome home = CdcSourceTest.legacyHome(temp.resolve("home"), topic);
        Map<String, String> settings = CdcSourceTest.settings(home, temp.resolve("data"));
        settings.put("herald.publish.timeout", "1000");
        String row = "L-" + UUID.randomUUID();
        try (TestHub hub = TestHub.startWith(settings)) {
            CdcSourceTest.awaitSourceStreaming(hub);
            AtomicInteger redeliveries = new AtomicInteger();
            EventNotifierSupport retries = new EventNotifierSupport() {
                @Override
                public void notify(CamelEvent event) {
                    if (event instanceof CamelEvent.ExchangeRedeliveryEvent redelivery
                            && "legacy-customers".equals(redelivery.getExchange().getFromRouteId())) {
                        redeliveries.incrementAndGet();
                    }
                }
            };
            hub.camel().getManagementStrategy().addEventNotifier(retries);
            retries.start();
            // another client's lock, outside the hub's pool: held until the hub's PostgreSQL stops
            Connection lock = DriverManager.getConnection(((HikariDataSource) hub.dataSource()).getJdbcUrl(),
                    "postgres", "");
            lock.setAutoCommit(false);
            lock.createStatement().execute("LOCK TABLE inbox IN ACCESS EXCLUSIVE MODE");
            try (Connection legacy = hub.dataSource().getConnection(); Statement sql = legacy.createStatement()) {
                sql.execute("INSERT INTO legacy_customers VALUES ('" + row + "', 'Lin', 1)");
            }
            // its first attempt failed (the lane waited past the publish timeout): it is being retried
            await().atMost(Duration.ofSeconds(30)).until(() -> redeliveries.get() >= 1);
        }   // stopped (and its PostgreSQL with it) while the change was in the route
        try (TestHub hub = TestHub.startWith(settings); TopicReader reader = new TopicReader(hub.brokers(), topic)) {
            await().atMost(Duration.ofSeconds(60)).until(() -> !reader.recordsFor(row).isEmpty());
            assertThat(CdcSourceTest.events(reader.recordsFor(row))).extracting(CloudEvent::getType)
                    .containsExactly("legacy-customer.created");
            assertThat(hub.queryLong("SELECT count(*) FROM events WHERE aggregate_id = ?", row)).isEqualTo(1);
            // stored by this start, not the stopped one (whose delivery would come again as a repeat)
            assertThat(hub.metricSum("herald_cdc_changes_total", "outcome=\"stored\"")).isEqualTo(1);
            assertThat(hub.metricSum("herald_cdc_changes_total", "outcome=\"repeated\"")).isZero();
        }
    }
}
