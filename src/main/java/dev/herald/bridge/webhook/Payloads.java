package dev.herald.bridge.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.standardwebhooks.exceptions.WebhookSigningException;
import dev.herald.event.LegacyTimestamp;
import dev.herald.http.JsonBodies;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a stored CloudEvent into the request an endpoint asked for (its format), signed per Standard Webhooks
 * with the reference library: {@code webhook-id} is the event id (stable across retries), and during a secret
 * rotation both secrets sign (space-separated {@code v1,} signatures, as the specification allows). The
 * secrets are opened here ({@link OpenedSecrets}: once per stored form), so one that no key opens fails that
 * attempt with the reason.
 */
final class Payloads {

    static final String STRUCTURED = "cloudevents-structured";
    static final String BINARY = "cloudevents-binary";
    static final String LEGACY = "legacy";

    /** A request ready to send: its body and every header (custom headers first, ours win). */
    record Outgoing(String body, Map<String, String> headers) {
    }

    private Payloads() {
    }

    static Outgoing build(Endpoint endpoint, OpenedSecrets secrets, String eventId, String envelope, Instant now) {
        Map<String, String> headers = new LinkedHashMap<>(endpoint.headers());
        String body;
        switch (endpoint.format()) {
            case BINARY -> body = binary(read(envelope), headers);
            case LEGACY -> {
                body = legacy(read(envelope));
                headers.put("content-type", "application/json");
            }
            default -> {
                body = envelope;
                headers.put("content-type", "application/cloudevents+json; charset=utf-8");
            }
        }
        if (replayed(envelope)) {
            headers.put("herald-replay", "true");
        }
        long timestamp = now.getEpochSecond();
        headers.put("user-agent", "Herald-Webhooks/1");
        headers.put("webhook-id", eventId);
        headers.put("webhook-timestamp", Long.toString(timestamp));
        headers.put("webhook-signature", sign(endpoint, secrets, eventId, timestamp, body, now));
        return new Outgoing(body, headers);
    }

    /** A replay's envelope has the extension attribute replay = true (docs/events.md); most have no "replay" at all. */
    private static boolean replayed(String envelope) {
        return envelope.contains("\"replay\"") && read(envelope).path("replay").asBoolean(false);
    }

    private static String sign(Endpoint endpoint, OpenedSecrets opened, String eventId, long timestamp, String body,
            Instant now) {
        List<String> signatures = new ArrayList<>();
        List<String> secrets = new ArrayList<>(List.of(endpoint.secret()));
        if (endpoint.previousSecret() != null && endpoint.previousSecretUntil() != null
                && endpoint.previousSecretUntil().isAfter(now)) {
            secrets.add(endpoint.previousSecret());
        }
        try {
            for (String secret : secrets) {
                signatures.add(opened.signer(endpoint.id(), secret).sign(eventId, timestamp, body));
            }
        } catch (WebhookSigningException e) {
            throw new IllegalStateException("signing failed", e);
        }
        return String.join(" ", signatures);
    }

    /** CloudEvents HTTP binary mode: every attribute but data becomes a ce- header; data is the body. */
    private static String binary(ObjectNode event, Map<String, String> headers) {
        JsonNode data = event.get("data");
        JsonNode contentType = event.get("datacontenttype");
        event.fields().forEachRemaining(field -> {
            String name = field.getKey();
            if (!name.equals("data") && !name.equals("data_base64") && !name.equals("datacontenttype")) {
                headers.put("ce-" + name, field.getValue().asText());
            }
        });
        headers.put("content-type", contentType == null ? "application/json" : contentType.asText());
        return data == null ? "" : data.isTextual() ? data.textValue() : data.toString();
    }

    /** Seed 000's envelope: {"event_type":"CustomerCreated","timestamp":...,"data":{...}}. */
    private static String legacy(ObjectNode event) {
        ObjectNode legacy = JsonBodies.MAPPER.createObjectNode();
        legacy.put("event_type", pascalCase(event.path("type").asText()));
        legacy.put("timestamp", LegacyTimestamp.of(event.path("time").asText()));
        legacy.set("data", event.get("data"));
        return legacy.toString();
    }

    /** customer.created -> CustomerCreated */
    static String pascalCase(String type) {
        StringBuilder name = new StringBuilder();
        for (String word : type.split("[._-]")) {
            if (!word.isEmpty()) {
                name.append(Character.toUpperCase(word.charAt(0))).append(word.substring(1));
            }
        }
        return name.toString();
    }

    static ObjectNode read(String envelope) {
        try {
            return (ObjectNode) JsonBodies.MAPPER.readTree(envelope);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
