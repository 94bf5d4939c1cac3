package dev.herald.peer;

import org.apache.camel.main.Main;

/**
 * Starts the peer: Camel Main with intake.camel.yaml and application.properties from the classpath. Settings come
 * as -D (peer.port, peer.jdbc-url, peer.brokers, peer.pool-size); see bench/peers/README.md.
 */
public final class IntakePeer {

    private IntakePeer() {
    }

    public static void main(String[] args) throws Exception {
        Main main = new Main(IntakePeer.class);
        System.exit(main.run(args));
    }
}
