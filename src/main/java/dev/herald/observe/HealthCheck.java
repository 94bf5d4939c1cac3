package dev.herald.observe;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.http.JsonBodies;
import java.sql.Connection;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;

/**
 * GET /observe/health (readiness): UP (200) only when both the database and Kafka answer; DOWN (503) says which
 * did not; DRAINING (503) once the hub is stopping, so a load balancer sends it nothing more. GET /observe/live
 * (liveness): 200 while the process answers at all; an outage of the database or Kafka is no reason to restart it.
 */
public final class HealthCheck implements AutoCloseable {

    private static final int TIMEOUT_MS = 2_000;

    private final DataSource dataSource;
    private final Admin kafka;
    private volatile boolean draining;

    public HealthCheck(DataSource dataSource, String brokers) {
        this.dataSource = dataSource;
        this.kafka = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, brokers,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, TIMEOUT_MS,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, TIMEOUT_MS));
    }

    public void check(Exchange exchange) {
        ObjectNode checks = JsonBodies.MAPPER.createObjectNode();
        boolean up = probe(checks, "database", this::database) & probe(checks, "kafka", this::kafka);
        ObjectNode body = JsonBodies.MAPPER.createObjectNode();
        body.put("status", draining ? "DRAINING" : up ? "UP" : "DOWN");
        body.set("checks", checks);
        answer(exchange, up && !draining ? 200 : 503, body);
    }

    public void live(Exchange exchange) {
        answer(exchange, 200, JsonBodies.MAPPER.createObjectNode().put("status", "UP"));
    }

    /** From now on readiness fails: the hub is about to stop. */
    public void drain() {
        draining = true;
    }

    private static void answer(Exchange exchange, int status, ObjectNode body) {
        Message out = exchange.getMessage();
        out.setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        out.setHeader(Exchange.CONTENT_TYPE, "application/json");
        out.setBody(body.toString());
    }

    private interface Probe {
        void run() throws Exception;
    }

    private static boolean probe(ObjectNode checks, String name, Probe probe) {
        try {
            probe.run();
            checks.put(name, "UP");
            return true;
        } catch (Exception e) {
            checks.put(name, "DOWN: " + e.getClass().getSimpleName() + ": " + e.getMessage());
            return false;
        }
    }

    private void database() throws Exception {
        try (Connection connection = dataSource.getConnection()) {
            if (!connection.isValid(TIMEOUT_MS / 1000)) {
                throw new IllegalStateException("connection is not valid");
            }
        }
    }

    /** For the outbox monitor: does Kafka answer now? */
    public boolean kafkaReachable() {
        try {
            kafka();
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    private void kafka() throws Exception {
        kafka.describeCluster(new DescribeClusterOptions().timeoutMs(TIMEOUT_MS)).nodes()
                .get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        kafka.close();
    }
}
