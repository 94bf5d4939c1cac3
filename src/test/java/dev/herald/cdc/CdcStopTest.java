package dev.herald.cdc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.testing.HubHome;
import dev.herald.testing.TestHub;
import dev.herald.testing.TopicReader;
import io.cloudevents.CloudEvent;
import java.nio.file.Path;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * A hub stopped while a CDC source retries a change it could not store (the inbox table locked by another
 * transaction, past the publish timeout): the change is not confirmed, and the next start on the same data
 * directory stores it, once. While it is stalled, its slot lag gauge grows with the database's other writes, and over
 * herald.cdc.slot-lag-alert each reading warns.
 */
class CdcStopTest {

    private final ListAppender<ILoggingEvent> warnings = new ListAppender<>();

    @AfterEach
    void detach() {
        ((Logger) LoggerFactory.getLogger(SlotLag.class)).detachAppender(warnings);
    }

    @Test
    void aChangeStillRetriedWhenTheHubStopsIsStoredAfterTheRestart(@TempDir Path temp) throws Exception {
        String topic = "legacy-stop-" + UUID.randomUUID();
        HubHome home = CdcSourceTest.legacyHome(temp.resolve("home"), topic);
        Map<String, String> settings = CdcSourceTest.settings(home, temp.resolve("data"));
        settings.put("herald.publish.timeout", "1000");
        settings.put("herald.cdc.slot-lag-alert", "500000");
        warnings.start();
        ((Logger) LoggerFactory.getLogger(SlotLag.class)).addAppender(warnings);
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
            // the stalled source's slot holds back the WAL of the database's other writes: the gauge shows it
            try (Connection other = hub.dataSource().getConnection(); Statement sql = other.createStatement()) {
                sql.execute("CREATE TABLE wal_filler AS SELECT g, repeat('x', 100) AS t FROM generate_series(1, 20000) g");
            }
            await().atMost(Duration.ofSeconds(10)).until(() ->
                    hub.metricSum("herald_cdc_slot_lag_bytes", "herald_legacy_customers") > 1_000_000);
            // over herald.cdc.slot-lag-alert: a warning naming the slot
            await().atMost(Duration.ofSeconds(10)).until(() -> warnings.list.stream().anyMatch(event ->
                    event.getLevel() == Level.WARN && event.getFormattedMessage().contains("herald_legacy_customers")
                            && event.getFormattedMessage().contains("herald.cdc.slot-lag-alert")));
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
