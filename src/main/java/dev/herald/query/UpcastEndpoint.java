package dev.herald.query;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.contract.EventSchemas;
import dev.herald.http.HeraldStep;
import java.util.Collection;
import java.util.Map;
import org.apache.camel.Component;
import org.apache.camel.Exchange;

/**
 * {@code herald:upcast}: the events a {@code sql:} step of a read selected, each in the newest shape of its type
 * (the {@code <n>-to-<n+1>.jq} upcasters beside the event schemas, see {@link EventSchemas}). One row per event,
 * with {@code type}, {@code schema_version} (the version it was stored and published with) and {@code data}; the
 * step replaces {@code data} by its upcast and takes {@code schema_version} away, so the rows go on as before to a
 * fold. A step of its own because neither camel-jq nor a transform knows which programs a row's type and version
 * need, and so that a read that shows events as stored simply leaves it out.
 */
public final class UpcastEndpoint extends HeraldStep {

    static final String SCHEMA_VERSION = "schema_version";

    public UpcastEndpoint(String uri, Component component) {
        super(uri, component, "upcast");
    }

    @Override
    protected void apply(Exchange exchange) {
        EventSchemas schemas = exchange.getContext().getRegistry().lookupByNameAndType("eventSchemas",
                EventSchemas.class);
        Object body = exchange.getIn().getBody();
        if (body instanceof Collection<?> rows) {
            rows.forEach(row -> upcast(schemas, row));
        } else {
            upcast(schemas, body);
        }
    }

    @SuppressWarnings("unchecked")
    private static void upcast(EventSchemas schemas, Object row) {
        if (!(row instanceof Map<?, ?> event)) {
            return;
        }
        Map<String, Object> columns = (Map<String, Object>) event;
        Object version = columns.remove(SCHEMA_VERSION);
        if (schemas != null && version instanceof Number number && columns.get("data") instanceof JsonNode data) {
            columns.put("data", schemas.upcast(String.valueOf(columns.get("type")), number.intValue(), data));
        }
    }
}
