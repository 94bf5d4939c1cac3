package dev.herald.settings;

/** Tracing: settings declared once (README's table is generated from them). */
public final class Tracing {

    static final Group GROUP = new Group("Tracing");

    public static final Setting<String> OTLP_ENDPOINT = GROUP.add(Setting.of(
            "herald.tracing.otlp-endpoint", Kind.text(), "",
            "OpenTelemetry collector (OTLP over HTTP, its base URL, e.g. `http://127.0.0.1:4318`) the spans are "
            + "exported to; empty: the standard `OTEL_EXPORTER_OTLP_ENDPOINT` if set, else no export (the W3C trace "
            + "context is still passed on: Kafka, envelope, RabbitMQ, webhooks; docs/operations.md, \"Tracing\")"));

    public static final Setting<String> SERVICE_NAME = GROUP.add(Setting.of(
            "herald.tracing.service-name", Kind.required(), "herald",
            "`service.name` of the exported spans"));

    private Tracing() {
    }
}
