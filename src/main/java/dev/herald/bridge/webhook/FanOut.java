package dev.herald.bridge.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.http.JsonBodies;
import dev.herald.trace.Traces;
import io.opentelemetry.api.trace.Span;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;
import org.apache.camel.Exchange;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.component.kafka.consumer.KafkaManualCommit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Java side of the webhooks.fan-out route: each Kafka event becomes one delivery row per endpoint whose
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
    private final WebhookMetrics metrics;
    private final Traces traces;

    FanOut(DataSource dataSource, Dispatcher dispatcher, WebhookMetrics metrics, Traces traces) {
        this.traces = traces;
        this.dataSource = dataSource;
        this.dispatcher = dispatcher;
        this.metrics = metrics;
    }

    /**
     * The route consumes in batches (camel-kafka {@code batching}): the body is the list of record exchanges,
     * all inserted in one transaction with one JDBC batch, then each partition's offset committed after its
     * last record. A failure redelivers the whole batch, which the inserts' idempotency makes harmless.
     * Instances share one consumer group: a partition (hence an aggregate) is read by one of them at a time, and
     * its offsets are committed only here, after the rows are in. When a rebalance moves a partition, the records
     * read for it before are left out by the route's first step (OwnedRecords) and the new owner reads again from
     * the last commit: rows already made are left as they are (ON CONFLICT), a row another instance is still
     * inserting waits for that transaction, so an aggregate's earlier events are always in the table before its
     * later ones; the dispatcher sends them in version order.
     */
    public void fanOut(Exchange exchange) throws SQLException {
        List<Exchange> records = exchange.getIn().getBody() instanceof List<?> list
                ? list.stream().map(Exchange.class::cast).toList() : List.of(exchange);
        if (records.isEmpty()) {
            // every record of the batch was left to a partition's new owner
            Traces.forget();
            return;
        }
        // the poll's lines carry its events' trace ids (trace_ids; of one event, trace_id), also Camel's retry line
        // when the insert fails (written after this step threw): kept then, replaced by the retry
        Traces.Logged logged = Traces.loggedThroughRetries(records, FanOut::traceparent);
        // a poll's records in one transaction, for many traces: a span of its own linked to each record's context
        // (recorded only when exporting), like a lane's batch; each delivery's span is a child of its event's
        Span span = traces.recording() ? traces.batch("webhooks fan-out", records.stream()
                .map(FanOut::traceparent).toList()) : Span.getInvalid();
        int inserted;
        try {
            inserted = insert(records);
        } catch (SQLException | RuntimeException e) {
            Traces.failed(span, e);
            throw e;
        } finally {
            span.setAttribute(Traces.BATCH_SIZE, (long) records.size());
            span.end();
        }
        metrics.fannedOut(records.size(), inserted);
        if (inserted > 0) {
            dispatcher.wake();
        }
        Map<String, KafkaManualCommit> lastPerPartition = new LinkedHashMap<>();
        for (Exchange record : records) {
            KafkaManualCommit commit = record.getIn().getHeader(KafkaConstants.MANUAL_COMMIT, KafkaManualCommit.class);
            if (commit != null) {
                lastPerPartition.put(record.getIn().getHeader(KafkaConstants.TOPIC) + "/"
                        + record.getIn().getHeader(KafkaConstants.PARTITION), commit);
            }
        }
        lastPerPartition.values().forEach(KafkaManualCommit::commit);
        logged.close();
    }

    private static String traceparent(Exchange record) {
        return record.getIn().getHeader(Traces.TRACEPARENT, String.class);
    }

    private int insert(List<Exchange> records) throws SQLException {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement insert = connection.prepareStatement(INSERT_MATCHING)) {
            connection.setAutoCommit(false);
            boolean any = false;
            for (Exchange record : records) {
                String envelope = record.getIn().getBody(String.class);
                JsonNode event = parse(envelope);
                if (event == null || !event.hasNonNull("type") || eventId(event) == null) {
                    // not a Herald CloudEvent: nothing an endpoint could be sent; logged, never retried forever
                    LOG.error("webhook fan-out skipped a record that is not a CloudEvent (topic {}, offset {})",
                            record.getIn().getHeader(KafkaConstants.TOPIC),
                            record.getIn().getHeader(KafkaConstants.OFFSET));
                    continue;
                }
                bind(insert, event, envelope);
                insert.addBatch();
                any = true;
            }
            int inserted = 0;
            if (any) {
                for (int count : insert.executeBatch()) {
                    inserted += Math.max(count, 0);
                }
            }
            connection.commit();
            return inserted;
        }
    }

    private static JsonNode parse(String envelope) {
        try {
            return envelope == null ? null : JsonBodies.MAPPER.readTree(envelope);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static UUID eventId(JsonNode event) {
        try {
            return UUID.fromString(event.path("id").asText());
        } catch (IllegalArgumentException notAUuid) {
            return null;
        }
    }

    private static void bind(PreparedStatement insert, JsonNode event, String envelope) throws SQLException {
        String type = event.get("type").asText();
        String aggregateType = event.path("aggregatetype").asText("");
        String aggregateId = event.hasNonNull("partitionkey") ? event.get("partitionkey").asText()
                : event.path("subject").asText("");
        insert.setObject(1, eventId(event));
        insert.setString(2, type);
        insert.setString(3, aggregateType);
        insert.setString(4, aggregateId);
        insert.setLong(5, event.path("aggregateversion").asLong(0));
        insert.setString(6, envelope);
        insert.setString(7, type);
        insert.setString(8, aggregateType);
        insert.setString(9, aggregateId);
    }
}
