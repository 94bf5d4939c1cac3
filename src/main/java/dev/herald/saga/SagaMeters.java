package dev.herald.saga;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;

/**
 * A saga type's meters: sagas started (their first call made here), and ended completed, compensated or failed;
 * each call's latency per service (the final commands: service {@code herald}), outcome and phase.
 */
final class SagaMeters {

    private final MeterRegistry registry;
    private final String type;
    private final Counter started;

    SagaMeters(MeterRegistry registry, String type) {
        this.registry = registry;
        this.type = type;
        this.started = Counter.builder("herald.sagas.started").tag("saga", type)
                .description("sagas whose first call was made").register(registry);
        for (String status : new String[] {"completed", "compensated", "failed"}) {
            ended(status, 0);
        }
    }

    void started() {
        started.increment();
    }

    void ended(String status) {
        ended(status, 1);
    }

    private void ended(String status, int count) {
        Counter.builder("herald.sagas.ended").tag("saga", type).tag("status", status)
                .description("sagas that ended: completed, compensated (undone, with a reason) or failed")
                .register(registry).increment(count);
    }

    void call(String service, String phase, String outcome, Duration took) {
        Timer.builder("herald.sagas.call").tag("saga", type).tag("service", service).tag("phase", phase)
                .tag("outcome", outcome).description("time of one saga call (an attempt), per service")
                .register(registry).record(took);
    }
}
