package dev.herald.saga;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.testing.HubHome;
import dev.herald.testing.TestHub;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.camel.ServiceStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A saga's declaration is checked at start, even while its services are not set (the default run); a broken one
 * stops the start naming the file, the route and the field. Without its services, a saga does not run.
 */
class SagaDeclarationTest {

    private static final String SAGA = "routes/order-fulfilment.camel.yaml";

    @Test
    void withoutItsServicesTheSagaAndItsStartStayStopped() {
        try (TestHub hub = TestHub.start(Map.of("herald.services.payment.url", "http://127.0.0.1:9"))) {
            assertThat(hub.camel().getRouteController().getRouteStatus("saga.order-fulfilment"))
                    .isEqualTo(ServiceStatus.Stopped);
            assertThat(hub.camel().getRouteController().getRouteStatus("saga.order-fulfilment.start"))
                    .isEqualTo(ServiceStatus.Stopped);
            assertThat(hub.http.get("/api/projections").body()).doesNotContain("saga.order-fulfilment");
            assertThat(hub.count("saga_types")).isZero();
        }
    }

    @Test
    void aCallToAServiceTheSagaDoesNotDeclareStopsTheStart(@TempDir Path root) throws IOException {
        startFails(root, "{ name: service, value: inventory }\n      - { name: path, value: /reservations }",
                "{ name: service, value: invntory }\n      - { name: path, value: /reservations }",
                "order-fulfilment.camel.yaml: route saga.order-fulfilment.inventory.action: service 'invntory' is not "
                        + "one of saga order-fulfilment's services [payment, inventory]");
    }

    @Test
    void aFinalCommandThatIsNoCommandStopsTheStart(@TempDir Path root) throws IOException {
        startFails(root, "value: order.confirm }", "value: order.confrm }",
                "order-fulfilment.camel.yaml: route saga.order-fulfilment.completed: command 'order.confrm' is not a "
                        + "command route");
    }

    @Test
    void aStepWithoutCompensationStopsTheStart(@TempDir Path root) throws IOException {
        startFails(root, "steps: payment,inventory", "steps: payment,inventory,shipping",
                "order-fulfilment.camel.yaml: route saga.order-fulfilment: saga order-fulfilment has no route from "
                        + "direct:saga.order-fulfilment.shipping.action");
    }

    @Test
    void aLimitBelowOneStopsTheStart(@TempDir Path root) throws IOException {
        startFails(root, "services: payment,inventory\n", "services: payment,inventory\n        maxRunning: 0\n",
                "herald:saga:order-fulfilment: maxRunning=0 must be at least 1");
    }

    /** The shipped saga with {@code from} replaced by {@code to} stops the start with {@code message}. */
    private static void startFails(Path root, String from, String to, String message) throws IOException {
        HubHome home = HubHome.copyOfShipped(root);
        String saga = Files.readString(home.root().resolve(SAGA));
        assertThat(saga).contains(from);
        home.write(SAGA, saga.replace(from, to));
        assertThatThrownBy(() -> TestHub.start(home.settings()).close()).hasStackTraceContaining(message);
    }
}
