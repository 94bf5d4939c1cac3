package dev.herald.bridge.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.intake.JsonBodies;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.UUID;
import javax.sql.DataSource;
import org.apache.camel.Exchange;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.component.kafka.consumer.KafkaManualCommit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Java side of the webhooks.fan-out route: one Kafka event becomes one delivery row per endpoint whose
 * filters match (idempotent on endpoint and event, so a redelivered record adds nothing), then the offset is
 * committed. Kafka never waits on an endpoint: retries live in the delivery table.
 */
public final class FanOut {

    private static final Logger LOG = LoggerFactory.getLogger(FanOut.class);

    static final String INSERT_MATCHING = """
            INSERT INTO webhook_deliveries (endpoint_id, event_id, event_type, aggregate_type, aggregate_id,
                                            aggregate_version, envelope)
            SELECT w.id, ?, ?, ?, ?, ?, ? FROM webhook_endpoints w
             WHERE webhook_matches(w.event_types, w.aggregate_type, w.aggregate_id, ?, ?, ?)
            ON CONFLICT (endpoint_id, event_id) DO NOTHING""";

    private final DataSource dataSource;
    private final Dispatcher dispatcher;

    FanOut(DataSource dataSource, Dispatcher dispatcher) {
        this.dataSource = dataSource;
        this.dispatcher = dispatcher;
    }

    public void fanOut(Exchange exchange) throws SQLException {
        String envelope = exchange.getIn().getBody(String.class);
        JsonNode event;
        try {
            event = JsonBodies.MAPPER.readTree(envelope);
        } catch (IOException | RuntimeException e) {
            event = null;
        }
        if (event == null || !event.hasNonNull("type") || eventId(event) == null) {
            // not a Herald CloudEvent: nothing an endpoint could be sent; logged, never retried forever
            LOG.error("webhook fan-out skipped a record that is not a CloudEvent (topic {}, offset {})",
                    exchange.getIn().getHeader(KafkaConstants.TOPIC), exchange.getIn().getHeader(KafkaConstants.OFFSET));
        } else if (insert(event, envelope) > 0) {
            dispatcher.wake();
        }
        KafkaManualCommit commit = exchange.getIn().getHeader(KafkaConstants.MANUAL_COMMIT, KafkaManualCommit.class);
        if (commit != null) {
            commit.commit();
        }
    }

    private static UUID eventId(JsonNode event) {
        try {
            return UUID.fromString(event.path("id").asText());
        } catch (IllegalArgumentException notAUuid) {
            return null;
        }
    }

    private int insert(JsonNode event, String envelope) throws SQLException {
        String type = event.get("type").asText();
        String aggregateType = event.path("aggregatetype").asText("");
        String aggregateId = event.hasNonNull("partitionkey") ? event.get("partitionkey").asText()
                : event.path("subject").asText("");
        try (Connection connection = dataSource.getConnection();
                PreparedStatement insert = connection.prepareStatement(INSERT_MATCHING)) {
            insert.setObject(1, eventId(event));
            insert.setString(2, type);
            insert.setString(3, aggregateType);
            insert.setString(4, aggregateId);
            insert.setLong(5, event.path("aggregateversion").asLong(0));
            insert.setString(6, envelope);
            insert.setString(7, type);
            insert.setString(8, aggregateType);
            insert.setString(9, aggregateId);
            return insert.executeUpdate();
        }
    }
}
