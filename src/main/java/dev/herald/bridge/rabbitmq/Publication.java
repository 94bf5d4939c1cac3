package dev.herald.bridge.rabbitmq;

import java.util.List;

/**
 * One message the bridge publishes for an event: to the exchange of {@code format}, routing key = event type.
 * {@code receivers} are the declared consumers whose bindings match; when there are some, a return means a
 * declared queue or binding is missing and the event is dead-lettered.
 */
record Publication(String exchange, MessageFormat format, BridgedEvent event, List<BridgeConsumer> receivers,
        String correlationId, String traceparent, String tracestate) {

    /** The same message, for the consumers who want it now (a live reload may have changed them). */
    Publication withReceivers(List<BridgeConsumer> now) {
        return new Publication(exchange, format, event, now, correlationId, traceparent, tracestate);
    }
}
