package dev.herald.testing;

import java.util.Map;

/** One hub on the shared engines for the test classes that need nothing special; stopped when the JVM exits. */
public final class SharedHub {

    private static TestHub hub;

    private SharedHub() {
    }

    public static synchronized TestHub get() {
        if (hub == null) {
            hub = TestHub.start(Map.of());
            Runtime.getRuntime().addShutdownHook(new Thread(hub::close));
        }
        return hub;
    }
}
