package dev.herald.http;

import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;

/**
 * The first step of a route that takes a JSON body, before camel-jackson's {@code unmarshal}, for what it does not check: a body
 * must be sent as JSON (else 415), and no body at all reads as {@code {}} so bodiless commands (DELETE) validate
 * like any other.
 */
public final class JsonRequest implements Processor {

    @Override
    public void process(Exchange exchange) {
        Message in = exchange.getIn();
        byte[] body = in.getBody(byte[].class);
        if (body == null || body.length == 0) {
            in.setBody("{}");
            return;
        }
        String contentType = in.getHeader(Exchange.CONTENT_TYPE, String.class);
        if (!JsonBodies.isJson(contentType)) {
            throw new Problem(415, "unsupported-media-type", "Unsupported media type", "send the body as "
                    + "application/json (got " + (contentType == null ? "no Content-Type" : contentType) + ")");
        }
        in.setBody(body);
    }
}
