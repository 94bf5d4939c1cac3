package dev.herald.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Checks the load generator itself: the same open-model runs against an in-process stub that answers 201
 * after a fixed delay. Achieved rate close to offered and p50 close to the delay mean the generator is not
 * what limits a Herald run at those rates (on this machine, under its current load).
 */
final class SelfTest {

    static void run(Args args) throws Exception {
        int delayMs = args.getInt("delay-ms", 20);
        ExecutorService workers = Executors.newFixedThreadPool(args.getInt("stub-threads", 400));
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 1024);
        byte[] answer = "{\"status\":\"stub\"}".getBytes(StandardCharsets.UTF_8);
        server.createContext("/api/customers", exchange -> {
            try (InputStream in = exchange.getRequestBody()) {
                in.readAllBytes();
            }
            try {
                Thread.sleep(delayMs);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(201, answer.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(answer);
            }
        });
        server.setExecutor(workers);
        server.start();
        try {
            Intake intake = new Intake("http://127.0.0.1:" + server.getAddress().getPort());
            intake.warmUp(16, args.getDouble("warmup", 3));
            for (double rate : args.doubles("rates", "100,300,1000,3000")) {
                ObjectNode r = intake.open(rate, args.getDouble("duration", 5), args.getInt("max-in-flight", 512),
                        Main.JSON.createObjectNode());
                Main.log("selftest (stub answers after " + delayMs + " ms) offered " + rate + " req/s: "
                        + Main.summary(r) + ", max send lag " + r.get("max_send_lag_ms") + " ms");
            }
        } finally {
            server.stop(0);
            workers.shutdownNow();
        }
    }
}
