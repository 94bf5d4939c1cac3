package dev.herald.bench;

import static dev.herald.bench.Cells.intake;
import static dev.herald.bench.Cells.num;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Locale;

/**
 * Herald beside the peer a user would run instead (bench/peers/), in the same run on the same engines, and the CPU
 * each spends per 1,000 units of work (bench's Cpu: /proc, per process group).
 */
final class PeerTable {

    /** CPU columns: the groups Cpu measures, in the order a reader looks for them. */
    private static final List<String[]> GROUPS = List.of(new String[] {"hub_jvm", "hub JVM"},
            new String[] {"peer_jvm", "peer JVM"}, new String[] {"kafka_broker", "Kafka broker"},
            new String[] {"amqp_broker", "AMQP broker"}, new String[] {"postgres", "PostgreSQL"}, new String[] {"load_generator", "load generator"});

    private PeerTable() {
    }

    static void append(StringBuilder b, JsonNode sessions) {
        StringBuilder peers = new StringBuilder();
        StringBuilder cpu = new StringBuilder();
        for (JsonNode s : sessions) {
            String scenario = s.path("scenario").asText();
            JsonNode peer = s.path("peer_intake");
            if (!peer.isMissingNode()) {
                peerRows(peers, scenario, s, peer);
            }
            cpuRow(cpu, scenario + ", Herald (saturation)", "commands", s.path("saturation").path("cpu"));
            cpuRow(cpu, "intake peer (Camel route, no Herald; saturation)", "commands",
                    peer.path("saturation").path("cpu"));
            cpuRow(cpu, scenario + ": raw JDBC (the same transaction's statements)", "transactions",
                    s.path("raw_jdbc").path("cpu"));
            cpuRow(cpu, "raw Kafka producer (acks=all, idempotent)", "records", s.path("raw_kafka").path("cpu"));
            if (s.has("peer_rabbitmq")) {
                rabbitRow(peers, s.path("rabbitmq_drain"), s.get("peer_rabbitmq"));
            }
            cpuRow(cpu, "RabbitMQ bridge, Herald (drain)", "events", s.path("rabbitmq_drain").path("cpu"));
            cpuRow(cpu, "RabbitMQ peer (Camel route, no Herald; drain)", "events",
                    s.path("peer_rabbitmq").path("cpu"));
            JsonNode relay = s.path("relay_debezium");
            if (!relay.isMissingNode()) {
                debeziumRow(peers, relay, relay.path("raw_kafka"));
            }
            cpuRow(cpu, "relay drain, Herald (private PostgreSQL; median of the drains)", "events",
                    relay.path("herald_cpu"));
            cpuRow(cpu, "relay peer: Debezium embedded (same PostgreSQL; median of the drains)", "events",
                    relay.path("debezium_cpu"));
            cpuRow(cpu, "raw Kafka producer beside the relays (acks=all, idempotent)", "records",
                    relay.path("raw_kafka").path("cpu"));
            cpuRow(cpu, "sagas, Herald (order placed → saga completed; services in the load generator)", "sagas",
                    s.path("sagas").path("herald").path("cpu"));
            cpuRow(cpu, "sagas: plain client (the same 3 HTTP calls per order)", "orders",
                    s.path("sagas").path("plain").path("cpu"));
        }
        if (!peers.isEmpty()) {
            b.append("\n### Herald beside its peers (same run, same PostgreSQL and Kafka)\n\n");
            b.append("| step | Herald | peer | Herald/peer |\n|---|---|---|---|\n").append(peers);
            b.append("\nThe intake peer (bench/peers/intake) is the route an integration engineer would write with "
                    + "Camel's own components: platform-http → json-validator → sql (state + outbox row, one statement) "
                    + "→ kafka (acks=all, idempotent, the answer waits for the ack) → 201. Weaker guarantees: a Kafka "
                    + "failure after the commit keeps the state without its event; no idempotency key. The RabbitMQ peer "
                    + "(bench/peers/rabbitmq) is a Camel route kafka → spring-rabbitmq with a confirm per message and "
                    + "the offset committed after it; no returns of unroutable messages, no dead letters, one format. The relay "
                    + "peer (bench/peers/debezium) is Debezium's embedded engine (PostgreSQL connector, pgoutput, the "
                    + "outbox EventRouter) handing each batch to a KafkaProducer (acks=all, idempotent) and marking "
                    + "offsets after the acks, as Debezium Server does; both relays drain the same events from a "
                    + "private PostgreSQL with wal_level=logical to the hub's Kafka, in alternating pairs.\n");
        }
        if (!cpu.isEmpty()) {
            b.append("\n### CPU per 1,000 units of work (ms; /proc, utime + stime)\n\n");
            b.append("| phase | unit |");
            GROUPS.forEach(g -> b.append(' ').append(g[1]).append(" |"));
            b.append(" total |\n|---|---|");
            GROUPS.forEach(g -> b.append("---|"));
            b.append("---|\n").append(cpu);
            b.append("\nThe embedded Kafka and AMQP brokers run in the hub's JVM: their threads are counted apart "
                    + "(by name) from the hub's own. The hub JVM column of a peer or raw phase is the idle hub beside "
                    + "it. CPU of threads or backends that ended during a phase is not counted.\n");
        }
    }

    private static void peerRows(StringBuilder b, String scenario, JsonNode s, JsonNode peer) {
        JsonNode herald = s.path("fixed_rate");
        JsonNode theirs = peer.path("fixed_rate");
        for (int i = 0; i < theirs.size(); i++) {
            JsonNode h = herald.path(i);
            JsonNode p = theirs.get(i);
            b.append("| ").append(scenario).append(", open model ").append(num(p.path("offered_per_s").asDouble()))
                    .append(" req/s | ").append(h.isMissingNode() ? "–" : intake(h)).append(" | ").append(intake(p))
                    .append(" | p99 ").append(ratio(h.path("p99_ms").asDouble(), p.path("p99_ms").asDouble()))
                    .append(" |\n");
        }
        JsonNode hs = s.path("saturation");
        JsonNode ps = peer.path("saturation");
        b.append("| ").append(scenario).append(", saturation (closed loop, ").append(ps.path("clients").asInt())
                .append(" clients) | ").append(intake(hs)).append(" | ").append(intake(ps)).append(" | **")
                .append(ratio(hs.path("achieved_per_s").asDouble(), ps.path("achieved_per_s").asDouble()))
                .append("** (p99 ").append(ratio(hs.path("p99_ms").asDouble(), ps.path("p99_ms").asDouble()))
                .append(") |\n");
    }

    /** The bridge and the peer draining the same Kafka backlog into the same broker, warm halves compared. */
    private static void rabbitRow(StringBuilder b, JsonNode herald, JsonNode peer) {
        double h = herald.path("second_half_events_per_s").asDouble(herald.path("events_per_s").asDouble());
        double p = peer.path("second_half_events_per_s").asDouble(peer.path("events_per_s").asDouble());
        b.append("| RabbitMQ bridge: Kafka backlog → confirmed AMQP messages (second half of the drain) | ")
                .append(num(h)).append(" events/s (").append(herald.path("in_queue_at_end").asLong()).append(" of ")
                .append(herald.path("backlog").asLong()).append(") | ").append(num(p)).append(" events/s (")
                .append(peer.path("in_queue_at_end").asLong()).append(" of ").append(peer.path("backlog").asLong())
                .append(peer.path("complete").asBoolean() ? "" : ", **incomplete**").append(") | **")
                .append(ratio(h, p)).append("** |\n");
    }

    /** Herald's relay and Debezium draining the same backlog, alternating; medians over the drains. */
    private static void debeziumRow(StringBuilder b, JsonNode r, JsonNode raw) {
        double h = r.path("herald_events_per_s").asDouble();
        double d = r.path("debezium_events_per_s").asDouble();
        double base = raw.path("records_per_s").asDouble();
        b.append("| relay: outbox backlog → Kafka (").append(num(r.path("events").asDouble())).append(" events of ")
                .append(r.path("event_bytes").asLong()).append(" B, ").append(r.path("partitions").asInt())
                .append(" partitions; median of ").append(r.path("pairs").asInt()).append(" alternating pairs) | ")
                .append(num(h)).append(" events/s").append(base > 0 ? " (" + ratio(h, base) + " a raw producer)" : "")
                .append(" | Debezium embedded: ").append(num(d)).append(" events/s")
                .append(base > 0 ? " (" + ratio(d, base) + " a raw producer)" : "").append(" | **")
                .append(String.format(Locale.ROOT, "%.2fx", r.path("ratio_median").asDouble())).append("** (pairs: ");
        StringBuilder each = new StringBuilder();
        r.path("ratios").forEach(x -> each.append(each.isEmpty() ? "" : ", ")
                .append(String.format(Locale.ROOT, "%.2f", x.asDouble())));
        b.append(each).append(") |\n");
    }

    private static void cpuRow(StringBuilder b, String phase, String unit, JsonNode cpu) {
        if (cpu.isMissingNode() || cpu.path("units").asLong() <= 0) {
            return;
        }
        b.append("| ").append(phase).append(" | ").append(unit).append(" |");
        for (String[] g : GROUPS) {
            JsonNode v = cpu.path(g[0] + "_ms");
            b.append(' ').append(v.isMissingNode() ? "–" : String.format(Locale.ROOT, "%.0f", v.asDouble())).append(" |");
        }
        b.append(String.format(Locale.ROOT, " **%.0f** |%n", cpu.path("total_ms").asDouble()));
    }

    private static String ratio(double herald, double peer) {
        return peer > 0 ? String.format(Locale.ROOT, "%.2fx", herald / peer) : "–";
    }
}
