package dev.herald.apidoc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.apache.camel.Component;
import org.apache.camel.Consumer;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.support.DefaultEndpoint;
import org.apache.camel.support.DefaultProducer;

/**
 * {@code herald:openapi?format=json|yaml} and {@code herald:asyncapi}: the step that answers the document of this
 * hub's declarations (routes/api-docs.camel.yaml places it). A Herald step because the document is read from the
 * CamelContext's route model ({@link ApiDocuments}), which no Camel component exposes.
 */
public final class ApiDocumentEndpoint extends DefaultEndpoint {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private final ApiDocuments documents;
    private final String kind;
    private String format = "json";

    public ApiDocumentEndpoint(String uri, Component component, ApiDocuments documents, String kind) {
        super(uri, component);
        this.documents = documents;
        this.kind = kind;
    }

    public void setFormat(String format) {
        if (!format.equals("json") && !format.equals("yaml")) {
            throw new IllegalArgumentException("herald:" + kind + " option format must be json or yaml, not " + format);
        }
        this.format = format;
    }

    @Override
    public Producer createProducer() {
        return new DefaultProducer(this) {
            @Override
            public void process(Exchange exchange) throws Exception {
                JsonNode document = kind.equals("openapi") ? documents.openApi(getCamelContext())
                        : documents.asyncApi(getCamelContext());
                Message out = exchange.getMessage();
                out.removeHeaders("*");
                out.setHeader(Exchange.HTTP_RESPONSE_CODE, 200);
                out.setHeader(Exchange.CONTENT_TYPE, format.equals("yaml") ? "application/yaml" : "application/json");
                out.setBody(format.equals("yaml") ? YAML.writeValueAsString(document) : document.toPrettyString());
            }
        };
    }

    @Override
    public Consumer createConsumer(Processor processor) {
        throw new UnsupportedOperationException("herald:" + kind + " is a step (to:), not a route's start (from:)");
    }
}
