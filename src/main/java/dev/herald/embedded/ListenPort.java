package dev.herald.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.function.Consumer;
import java.util.function.IntPredicate;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The port an embedded engine listens on, from its setting (herald.kafka.embedded-port, ...):
 * <ul>
 * <li>empty (the default): the engine's conventional port (9092, 5672) when it is free, so consumers keep their
 * address across restarts; when it is taken (a real broker beside the hub), any free port and a WARN naming
 * both, so the hub still starts;</li>
 * <li>0: any free port (tests, several hubs on one machine);</li>
 * <li>another number: exactly that port; taken, the start fails naming the setting, since clients were told it.</li>
 * </ul>
 * Checked on 127.0.0.1, where the engines bind.
 */
public final class ListenPort {

    private static final Logger LOG = LoggerFactory.getLogger(ListenPort.class);
    private static final String HOST = "127.0.0.1";

    private ListenPort() {
    }

    public static int choose(String setting, String value, int conventional) {
        return choose(setting, value, conventional, ListenPort::isFree, ListenPort::anyFree, LOG::warn);
    }

    /** The rule alone: {@code free} says whether a port can be bound, {@code anyFree} picks one, {@code warn} logs. */
    static int choose(String setting, String value, int conventional, IntPredicate free, IntSupplier anyFree,
            Consumer<String> warn) {
        String text = value == null ? "" : value.strip();
        if (text.isEmpty()) {
            if (free.test(conventional)) {
                return conventional;
            }
            int other = anyFree.getAsInt();
            warn.accept("PORT " + conventional + " IS TAKEN on " + HOST + " (the default of " + setting
                    + "): listening on " + other + " instead, a different port at every start; point clients at "
                    + HOST + ":" + other + ", or free " + conventional + ", or set " + setting + " to a free port");
            return other;
        }
        int port;
        try {
            port = Integer.parseInt(text);
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException(setting + " is '" + value
                    + "': expected a port number, 0 for any free port, or empty for the default");
        }
        if (port == 0) {
            return anyFree.getAsInt();
        }
        if (!free.test(port)) {
            throw new IllegalStateException(setting + "=" + port + ": port " + port + " is already in use on " + HOST
                    + "; stop what listens there, set another port, 0 for any free port, or leave " + setting
                    + " empty for the default");
        }
        return port;
    }

    /** Whether this port can be bound on loopback right now (SO_REUSEADDR: a closed listener's TIME_WAIT is free). */
    public static boolean isFree(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getByName(HOST), port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static int anyFree() {
        try (ServerSocket socket = new ServerSocket(0, 0, InetAddress.getByName(HOST))) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot find a free port", e);
        }
    }
}
