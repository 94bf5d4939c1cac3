package dev.herald.bench;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How intake grows with instances (bench/run --scaling --instances N): one Kafka broker of its own and one
 * PostgreSQL cluster (bench/run's private one, so its CPU is the hubs' alone), then 1, 2 ... N hubs on them, each
 * step a closed-loop saturation run whose requests go to the instances in turn, as a load balancer would send
 * them. Per step: commands/s, latency, and CPU per 1,000 commands of every process, from which docs/scaling.md's
 * capacity model is read (CPU per command is what stays put on a machine whose cores the hubs share).
 */
final class Scaling {

    private Scaling() {
    }

    static void run(Args args) throws Exception {
        int instances = args.getInt("instances", 3);
        int clients = args.getInt("clients", 32);
        double seconds = args.getDouble("seconds", 20);
        double warmup = args.getDouble("warmup", 10);
        Path work = Path.of(args.require("work"));
        String dbUrl = args.require("db-url");
        ObjectNode report = Main.JSON.createObjectNode();
        report.put("scenario", "scaling").put("clients", clients).put("seconds", seconds)
                .put("database", args.get("database", dbUrl));
        ArrayNode steps = report.putArray("steps");
        try (SoakInstances hubs = new SoakInstances(Path.of(args.require("hub-home")),
                Files.readAllLines(Path.of(args.require("hub-args-file"))), instances, args.getInt("base-port", 8080), work)) {
            int kafkaPort = Soak.freePort();
            byte[] key = new byte[32];
            new java.security.SecureRandom().nextBytes(key);
            hubs.options(List.of("-Dherald.db.url=" + dbUrl, "-Dherald.kafka.brokers=127.0.0.1:" + kafkaPort,
                    "-Dherald.webhooks.secret-key=" + java.util.Base64.getEncoder().encodeToString(key)));
            hubs.startKafka(work.resolve("kafka"), kafkaPort, kafkaPort, Boolean.parseBoolean(args.get("durable", "true")),
                    work.resolve("kafka.log"));
            for (int n = 1; n <= instances; n++) {
                long started = System.nanoTime();
                hubs.start(n - 1); // one after the other: the first migrates the schema
                Main.log("scaling: " + hubs.hubs().get(n - 1).id() + " ready in "
                        + hubs.awaitReady(n - 1, started, Duration.ofSeconds(240)) + " ms");
                steps.add(step(hubs, n, clients, seconds, warmup, Cpu.portOf(dbUrl)));
            }
        }
        File out = new File(args.require("out"));
        Main.JSON.writeValue(out, report);
        Files.writeString(Path.of(out.getPath().replaceFirst("\\.json$", ".md")), markdown(report));
    }

    private static ObjectNode step(SoakInstances hubs, int n, int clients, double seconds, double warmup,
            int postgresPort) throws Exception {
        Intake intake = new Intake(hubs.urls().subList(0, n));
        intake.warmUp(clients, warmup);
        Map<String, Long> servers = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            servers.put("hub" + (i + 1), hubs.pid(i));
        }
        servers.put("kafka", hubs.kafkaPid());
        Cpu.Phase cpu = new Cpu(servers, postgresPort).start();
        ObjectNode step = Main.JSON.createObjectNode().put("instances", n)
                .put("load_average", Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
        intake.closed(clients, seconds, step.putObject("saturation"));
        cpu.end(step.get("saturation").get("ok").asLong(), 1000, step.putObject("cpu_per_1000"));
        Main.log("scaling: " + n + " instance(s): " + step.get("saturation").get("achieved_per_s") + " cmd/s");
        return step;
    }

    private static String markdown(ObjectNode report) {
        StringBuilder md = new StringBuilder("# Intake with 1 to N instances (`bench/run --scaling`)\n\n")
                .append("Closed loop, ").append(report.get("clients").asInt()).append(" clients sending to the instances in turn, ")
                .append(report.get("seconds").asDouble()).append(" s per step after a warm-up; one Kafka broker process, ")
                .append(report.get("database").asText()).append(".\n\n")
                .append("| instances | commands/s | p50 · p99 ms | errors | CPU ms per 1,000 commands: hubs · Kafka · PostgreSQL · load generator · total | cores busy | load average at its start |\n")
                .append("|---|---|---|---|---|---|---|\n");
        for (var step : report.get("steps")) {
            var s = step.get("saturation");
            var cpu = step.get("cpu_per_1000");
            double hubs = 0;
            double kafka = 0;
            for (var it = cpu.fields(); it.hasNext(); ) {
                var f = it.next();
                if (f.getKey().startsWith("hub")) {
                    hubs += f.getValue().asDouble();
                } else if (f.getKey().startsWith("kafka")) {
                    kafka += f.getValue().asDouble();
                }
            }
            double total = cpu.get("total_ms").asDouble();
            double rate = s.get("achieved_per_s").asDouble();
            md.append(String.format("| %d | %,.0f | %.1f · %.1f | %d | %,.0f · %,.0f · %,.0f · %,.0f · **%,.0f** | %.2f | %s |%n",
                    step.get("instances").asInt(), rate, s.get("p50_ms").asDouble(), s.get("p99_ms").asDouble(),
                    s.get("errors").asLong(), hubs, kafka, cpu.get("postgres_ms").asDouble(),
                    cpu.get("load_generator_ms").asDouble(), total, total * rate / 1e6, step.path("load_average").asText()));
        }
        return md.append("\ncores busy = total CPU per command × commands/s: near the machine's core count, the step was bound by CPU, "
                + "not by the hub's design; far below it with a high load average, other work on the machine took the cores.\n")
                .toString();
    }
}
