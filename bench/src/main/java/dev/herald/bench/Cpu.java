package dev.herald.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * CPU time per unit of work, from /proc: on a shared 2-core machine far steadier than throughput, and it says where
 * to cut. A snapshot sums utime + stime of: each server JVM (the hub, a peer), split by thread name into the
 * embedded Kafka broker, the embedded AMQP broker and the rest (the server itself, JIT and GC included), as
 * {@code <label>_jvm}, {@code kafka_broker}, {@code amqp_broker}; the PostgreSQL cluster (its postmaster and every
 * backend); this load generator's JVM. CPU of a thread or backend that
 * ended between two snapshots is lost, so phases keep their connections open (pools do).
 */
final class Cpu {

    /** Thread names (as /proc shows them: 15 characters) of the Kafka broker running inside a JVM. */
    private static final List<String> KAFKA_BROKER = List.of("data-plane-kaf", "kafka-1-", "quorum-control",
            "TxnMarkerSende", "AddPartitionsT", "ExpirationReap", "controller-", "broker-", "kafka-schedule",
            "transaction-lo", "raft-expiratio", "kafka-log-clea", "executor-", "group-metadata",
            "group-coordina", "client-metrics", "SensorExpiryTh", "LogDirFailureH", "ThrottledChann",
            "ReplicaFetcher");
    /** ... and of the embedded AMQP broker (Qpid Broker-J). */
    private static final List<String> AMQP_BROKER = List.of("IO-pool-", "virtualhost-", "Selector-",
            "Broker-Config", "VirtualHostNode", "Housekeeping");
    private static final double TICKS_PER_S = 100; // USER_HZ: getconf CLK_TCK on Linux

    private final Map<String, Long> servers;
    private final int postgresPort;

    /**
     * @param servers label -> pid of each server JVM (pid <= 0: left out)
     * @param postgresPort the cluster's port (its postmaster's {@code -p}); 0 = every postgres process here
     */
    Cpu(Map<String, Long> servers, int postgresPort) {
        this.servers = servers;
        this.postgresPort = postgresPort;
    }

    static int portOf(String jdbcUrl) {
        var m = java.util.regex.Pattern.compile("//[^/:]+:(\\d+)/").matcher(jdbcUrl);
        return m.find() ? Integer.parseInt(m.group(1)) : 5432;
    }

    record Snapshot(Map<String, Long> ticks) {
    }

    /** A measured phase: started now, ended with the units of work it did. */
    final class Phase {
        private final Snapshot before = take();

        /** Writes CPU ms per {@code per} units into {@code out} and returns it. */
        ObjectNode end(long units, long per, ObjectNode out) {
            return Cpu.per(before, take(), units, per, out);
        }
    }

    Phase start() {
        return new Phase();
    }

    Snapshot take() {
        Map<String, Long> ticks = new TreeMap<>();
        servers.forEach((label, pid) -> {
            if (pid > 0) {
                for (Path task : list(Path.of("/proc", Long.toString(pid), "task"))) {
                    String name = read(task.resolve("comm")).strip();
                    ticks.merge(groupOf(label, name), ticks(task.resolve("stat")), Long::sum);
                }
            }
        });
        ticks.put("postgres", postgres());
        ticks.put("load_generator", ticks(Path.of("/proc/self/stat")));
        return new Snapshot(ticks);
    }

    /** CPU milliseconds per {@code per} units of work between two snapshots, per process group, and in total. */
    static ObjectNode per(Snapshot before, Snapshot after, long units, long per, ObjectNode out) {
        out.put("units", units);
        out.put("per", per);
        long total = 0;
        for (var e : after.ticks().entrySet()) {
            long delta = e.getValue() - before.ticks().getOrDefault(e.getKey(), 0L);
            total += delta;
            out.put(e.getKey() + "_ms", units > 0 ? Stats.round(delta * 1000.0 / TICKS_PER_S * per / units, 1) : 0);
        }
        out.put("total_ms", units > 0 ? Stats.round(total * 1000.0 / TICKS_PER_S * per / units, 1) : 0);
        return out;
    }

    private static String groupOf(String server, String thread) {
        if (KAFKA_BROKER.stream().anyMatch(thread::startsWith)) {
            return "kafka_broker";
        }
        if (AMQP_BROKER.stream().anyMatch(thread::startsWith)) {
            return "amqp_broker";
        }
        return server + "_jvm";
    }

    /** The cluster on {@code postgresPort}: its postmaster (the one started with that -p) and its children. */
    private long postgres() {
        long sum = 0;
        String postmaster = null;
        Map<Path, String[]> processes = new TreeMap<>();
        for (Path proc : list(Path.of("/proc"))) {
            if (!proc.getFileName().toString().chars().allMatch(Character::isDigit)
                    || !read(proc.resolve("comm")).strip().equals("postgres")) {
                continue;
            }
            String stat = read(proc.resolve("stat"));
            String[] fields = fields(stat);
            if (fields == null) {
                continue;
            }
            processes.put(proc, fields);
            String cmdline = read(proc.resolve("cmdline")).replace('\0', ' ');
            if (postgresPort > 0 && cmdline.contains(" -p " + postgresPort + " ")) {
                postmaster = proc.getFileName().toString();
            }
        }
        for (var e : processes.entrySet()) {
            String pid = e.getKey().getFileName().toString();
            String ppid = e.getValue()[1];
            if (postmaster == null || pid.equals(postmaster) || ppid.equals(postmaster)) {
                sum += Long.parseLong(e.getValue()[11]) + Long.parseLong(e.getValue()[12]);
            }
        }
        return sum;
    }

    private static long ticks(Path stat) {
        String[] fields = fields(read(stat));
        return fields == null ? 0 : Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }

    /** The fields of /proc/.../stat after the command name (which may hold spaces): [0] = state, [1] = ppid. */
    private static String[] fields(String stat) {
        int end = stat.lastIndexOf(')');
        return end < 0 ? null : stat.substring(end + 2).split(" ");
    }

    private static List<Path> list(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "";
        }
    }
}
