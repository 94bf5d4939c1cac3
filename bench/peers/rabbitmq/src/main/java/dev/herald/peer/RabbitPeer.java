package dev.herald.peer;

import org.apache.camel.main.Main;

/**
 * Starts the peer: Camel Main with bridge.camel.yaml and application.properties from the classpath. Settings come
 * as -D (peer.brokers, peer.topic, peer.group, peer.threads, peer.amqp-url, peer.exchange); see bench/README.md.
 */
public final class RabbitPeer {

    private RabbitPeer() {
    }

    public static void main(String[] args) throws Exception {
        System.exit(new Main(RabbitPeer.class).run(args));
    }
}
