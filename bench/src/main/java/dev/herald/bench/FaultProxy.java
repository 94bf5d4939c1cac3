package dev.herald.bench;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The soak's TCP proxy between the hub and one engine. A fault lasts until {@link #heal()}: CUT drops
 * every connection and refuses new ones; BLACKHOLE keeps connections open and swallows their bytes (healing
 * resets them, as their streams lost data); DELAY holds each chunk {@code delayMs} before passing it on.
 */
final class FaultProxy implements AutoCloseable {

    enum Fault { NONE, CUT, BLACKHOLE, DELAY }

    private final String name;
    private final ServerSocket listener;
    private final String targetHost;
    private final int targetPort;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private volatile Fault fault = Fault.NONE;
    private volatile long delayMs;

    FaultProxy(String name, String targetHost, int targetPort) throws IOException {
        this.name = name;
        this.targetHost = targetHost;
        this.targetPort = targetPort;
        listener = new ServerSocket(0, 100, InetAddress.getLoopbackAddress());
        daemon("proxy-" + name, this::acceptLoop);
    }

    int port() {
        return listener.getLocalPort();
    }

    String name() {
        return name;
    }

    void inject(Fault kind, long delayMillis) {
        delayMs = delayMillis;
        fault = kind;
        if (kind == Fault.CUT) {
            dropAll();
        }
    }

    void heal() {
        Fault was = fault;
        fault = Fault.NONE;
        delayMs = 0;
        if (was == Fault.BLACKHOLE) {
            dropAll();
        }
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            Socket client;
            try {
                client = listener.accept();
            } catch (IOException e) {
                continue; // closed: the loop ends
            }
            if (fault == Fault.CUT) {
                quietly(client);
                continue;
            }
            sockets.add(client);
            try {
                Socket target = fault == Fault.BLACKHOLE ? null : new Socket(targetHost, targetPort);
                if (target != null) {
                    sockets.add(target);
                    daemon("proxy-" + name + "-in", () -> relay(target, client));
                }
                daemon("proxy-" + name + "-out", () -> relay(client, target));
            } catch (IOException e) {
                quietly(client);
            }
        }
    }

    /** Bytes from {@code source} to {@code sink} (null: nowhere), as the current fault allows. */
    private void relay(Socket source, Socket sink) {
        byte[] chunk = new byte[32 * 1024];
        try {
            InputStream in = source.getInputStream();
            for (int n = in.read(chunk); n >= 0; n = in.read(chunk)) {
                if (fault == Fault.DELAY) {
                    Thread.sleep(delayMs);
                }
                if (sink != null && fault != Fault.BLACKHOLE) {
                    sink.getOutputStream().write(chunk, 0, n);
                }
            }
        } catch (IOException | InterruptedException e) {
            // dropped by a fault, or the peer left
        } finally {
            quietly(source);
            if (sink != null) {
                quietly(sink);
            }
        }
    }

    private void dropAll() {
        for (Socket socket : sockets) {
            quietly(socket);
        }
    }

    private void quietly(Socket socket) {
        sockets.remove(socket);
        try {
            socket.close();
        } catch (IOException ignored) {
            // gone already
        }
    }

    private static void daemon(String threadName, Runnable body) {
        Thread thread = new Thread(body, threadName);
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void close() throws IOException {
        listener.close();
        dropAll();
    }
}
