package dev.herald.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy between the hub and an engine, for fault injection. Until {@link #restore()}:
 * {@link #cut()} drops every open connection mid-stream and refuses new ones; {@link #blackhole()} keeps
 * connections open (and accepts new ones) but swallows every byte, so clients hang until their own timeouts;
 * {@link #delay(Duration)} holds every chunk that long before forwarding it.
 */
public final class TcpProxy implements AutoCloseable {

    private enum Mode { PASS, CUT, BLACKHOLE }

    private final ServerSocket server;
    private final String upstreamHost;
    private final int upstreamPort;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final AtomicInteger faults = new AtomicInteger();
    private volatile Mode mode = Mode.PASS;
    private volatile long delayMillis;

    public TcpProxy(String upstreamHost, int upstreamPort) {
        this.upstreamHost = upstreamHost;
        this.upstreamPort = upstreamPort;
        try {
            server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Thread acceptor = new Thread(this::accept, "tcp-proxy-" + port());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public int port() {
        return server.getLocalPort();
    }

    /** Faults injected so far (cuts, blackholes, delays). */
    public int faults() {
        return faults.get();
    }

    public void cut() {
        faults.incrementAndGet();
        mode = Mode.CUT;
        closeAll();
    }

    public void blackhole() {
        faults.incrementAndGet();
        mode = Mode.BLACKHOLE;
    }

    public void delay(Duration latency) {
        faults.incrementAndGet();
        delayMillis = latency.toMillis();
    }

    /**
     * Back to forwarding. Connections that lived through a blackhole lost bytes, so their streams are
     * garbage: they are closed, as a network that heals resets them, and clients reconnect.
     */
    public void restore() {
        boolean swallowed = mode == Mode.BLACKHOLE;
        delayMillis = 0;
        mode = Mode.PASS;
        if (swallowed) {
            closeAll();
        }
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                if (mode == Mode.CUT) {
                    closeQuietly(client);
                    continue;
                }
                open.add(client);
                if (mode == Mode.BLACKHOLE) {
                    pump(client, null); // the upstream is never even asked
                    continue;
                }
                Socket upstream;
                try {
                    upstream = new Socket(upstreamHost, upstreamPort);
                } catch (IOException e) {
                    close(client); // the engine is not there: the client must hear it, not hang
                    continue;
                }
                open.add(upstream);
                pump(client, upstream);
                pump(upstream, client);
            } catch (IOException e) {
                if (server.isClosed()) {
                    return;
                }
            }
        }
    }

    /** Copies from one side to the other ({@code to} null: swallows), as the current mode says. */
    private void pump(Socket from, Socket to) {
        Thread thread = new Thread(() -> {
            byte[] buffer = new byte[16 * 1024];
            try (InputStream in = from.getInputStream()) {
                OutputStream out = to == null ? OutputStream.nullOutputStream() : to.getOutputStream();
                int read;
                while ((read = in.read(buffer)) != -1) {
                    long delay = delayMillis;
                    if (delay > 0) {
                        Thread.sleep(delay);
                    }
                    if (mode == Mode.BLACKHOLE) {
                        continue;
                    }
                    out.write(buffer, 0, read);
                    out.flush();
                }
            } catch (IOException e) {
                // the other side closed, or the proxy cut it
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                close(from);
                if (to != null) {
                    close(to);
                }
            }
        }, "tcp-proxy-pump");
        thread.setDaemon(true);
        thread.start();
    }

    private void closeAll() {
        open.forEach(this::close);
    }

    private void close(Socket socket) {
        closeQuietly(socket);
        open.remove(socket);
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // already closed
        }
    }

    @Override
    public void close() {
        mode = Mode.CUT;
        closeAll();
        try {
            server.close();
        } catch (IOException e) {
            // already closed
        }
    }
}
