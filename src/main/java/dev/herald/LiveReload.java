package dev.herald;

import dev.herald.bridge.rabbitmq.RabbitBridge;
import dev.herald.intake.SchemaReload;
import dev.herald.settings.RabbitMq;
import dev.herald.settings.Settings;
import dev.herald.settings.Sources;
import java.nio.file.Path;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.ResourceReload;
import org.apache.camel.support.FileWatcherResourceReloadStrategy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code herald.dev.reload=true}, for development: Camel's file watchers on the routes, the schemas and the bridge
 * declarations. A changed file passes the start-up checks or is refused: the watcher logs it at WARN naming the file
 * and what failed, and what it would have replaced keeps serving.
 */
final class LiveReload {

    private static final Logger LOG = LoggerFactory.getLogger(LiveReload.class);

    private LiveReload() {
    }

    /**
     * {@code oneChangeAtATime}: held while a change is applied; whatever else reads the routes with their template
     * parameters set on the shared properties (the API documents) holds it too.
     */
    static void install(CamelContext camel, Settings settings, Object oneChangeAtATime, RabbitBridge rabbitBridge)
            throws Exception {
        if (!settings.get(Sources.DEV_RELOAD)) {
            return;
        }
        String routes = settings.get(Sources.ROUTES_DIR);
        String schemas = settings.get(Sources.SCHEMAS_DIR);
        Path consumers = Path.of(settings.get(RabbitMq.CONSUMERS_FILE)).toAbsolutePath().normalize();
        camel.addService(new RouteReload(routes, oneChangeAtATime));
        camel.addService(watcher(schemas, ".json", new SchemaReload(camel, oneChangeAtATime)));
        camel.addService(watcher(consumers.getParent().toString(), ".yaml", (name, resource) -> {
            if (Path.of(name).toAbsolutePath().normalize().equals(consumers)) {
                // applied on the broker and by the bridge, or refused (thrown: the watcher logs it at WARN)
                rabbitBridge.reload(consumers);
            } else {
                LOG.info("Live reload: {} changed; it is not the RabbitMQ consumers file ({}, "
                        + "herald.rabbitmq.consumers-file), nothing to apply", name, consumers);
            }
        }));
        LOG.warn("LIVE RELOAD IS ON (herald.dev.reload=true), for development only: changed routes in {}, schemas in "
                + "{} and the RabbitMQ consumers file {} are applied without a restart", routes, schemas, consumers);
    }

    private static FileWatcherResourceReloadStrategy watcher(String directory, String suffix, ResourceReload reload) {
        FileWatcherResourceReloadStrategy watcher = new FileWatcherResourceReloadStrategy(directory);
        watcher.setFileFilter(file -> file.getName().endsWith(suffix));
        watcher.setResourceReload(reload);
        return watcher;
    }
}
