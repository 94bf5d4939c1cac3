package dev.herald.reaction;

/**
 * An inbound event that can never be applied as it is: not a CloudEvent, without a field its reaction maps, or
 * refused for good by its command (a 4xx answer: schema violation, unknown aggregate, state conflict). A
 * {@code skip} reaction dead-letters it (stage {@code inbound}) and goes on; a {@code block} reaction retries it.
 */
public final class InboundRejected extends RuntimeException {

    public InboundRejected(String reason) {
        super(reason);
    }

    public InboundRejected(String reason, Throwable cause) {
        super(reason, cause);
    }
}
