package dev.herald.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.herald.http.HeraldStep;
import dev.herald.http.Problem;
import dev.herald.store.SqlRows;
import org.apache.camel.Component;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

/**
 * {@code herald:answer}: a read's rows as the HTTP answer, a JSON array, or with {@code single=true} the one row
 * (404 problem when there is none, {@code ETag} from its {@code version} column). The body becomes that JSON, for
 * a {@code marshal: json} step after it.
 */
public final class AnswerEndpoint extends HeraldStep {

    private boolean single;

    public AnswerEndpoint(String uri, Component component) {
        super(uri, component, "answer");
    }

    @Override
    protected void apply(Exchange exchange) throws java.sql.SQLException {
        Message message = exchange.getMessage();
        ArrayNode rows = SqlRows.of(message.getBody());
        String uri = message.getHeader(Exchange.HTTP_URI, String.class);
        message.removeHeaders("*", Exchange.HTTP_URI);
        message.setHeader(Exchange.HTTP_RESPONSE_CODE, 200);
        message.setHeader(Exchange.CONTENT_TYPE, "application/json");
        if (!single) {
            message.setBody(rows);
            return;
        }
        if (rows.isEmpty()) {
            throw Problem.notFound(uri + " does not exist");
        }
        JsonNode row = rows.get(0);
        if (row.hasNonNull("version")) {
            message.setHeader("ETag", "\"" + row.get("version").asText() + "\"");
        }
        message.setBody(row);
    }

    public void setSingle(boolean single) {
        this.single = single;
    }
}
