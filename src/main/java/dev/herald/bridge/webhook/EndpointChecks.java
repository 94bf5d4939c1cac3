package dev.herald.bridge.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.bridge.webhook.TargetGuard.RefusedTarget;
import dev.herald.http.Problem;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Iterator;
import java.util.Locale;
import java.util.Set;

/**
 * What an endpoint declaration (API or endpoints file) must pass beyond its schema: a URL the SSRF guard allows,
 * headers that are not Herald's or the HTTP client's, and, when asked for, the CloudEvents validation handshake.
 */
final class EndpointChecks {

    /** Headers the HTTP client owns, and the ones Herald sets itself. */
    private static final Set<String> RESERVED_HEADERS = Set.of("host", "connection", "content-length", "expect",
            "upgrade", "content-type", "user-agent", "webhook-id", "webhook-timestamp", "webhook-signature");

    private final TargetGuard guard;
    private final WebhookSettings settings;
    private final HttpClient handshakeClient;

    EndpointChecks(TargetGuard guard, WebhookSettings settings) {
        this.guard = guard;
        this.settings = settings;
        this.handshakeClient = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(settings.timeout()).build();
    }

    URI allowedUrl(String text) {
        try {
            URI url = new URI(text);
            guard.check(url);
            return url;
        } catch (URISyntaxException e) {
            throw Problem.unprocessable("webhook-url-invalid", "not a URL: " + e.getMessage());
        } catch (RefusedTarget e) {
            throw Problem.unprocessable("webhook-target-refused", e.getMessage());
        }
    }

    /** The endpoint's own headers as stored (a JSON object), none of them reserved. */
    static String headers(JsonNode headers) {
        if (headers.isMissingNode() || headers.isNull()) {
            return "{}";
        }
        for (Iterator<String> names = headers.fieldNames(); names.hasNext();) {
            String name = names.next();
            if (RESERVED_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
                throw Problem.unprocessable("webhook-header-reserved", "the header " + name
                        + " is set by Herald or the HTTP client and cannot be configured");
            }
        }
        return headers.toString();
    }

    /** CloudEvents webhook validation (abuse protection): the endpoint must allow our origin. */
    void handshake(URI url) {
        HttpRequest request = HttpRequest.newBuilder(url).timeout(settings.timeout())
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("WebHook-Request-Origin", settings.handshakeOrigin()).build();
        try {
            HttpResponse<Void> response = handshakeClient.send(request, HttpResponse.BodyHandlers.discarding());
            String allowed = response.headers().firstValue("WebHook-Allowed-Origin").orElse("");
            if (response.statusCode() / 100 != 2
                    || !(allowed.equals("*") || allowed.equalsIgnoreCase(settings.handshakeOrigin()))) {
                throw Problem.unprocessable("webhook-handshake-refused", "the endpoint answered the validation "
                        + "request with " + response.statusCode() + " and WebHook-Allowed-Origin '" + allowed + "'");
            }
        } catch (IOException e) {
            throw Problem.unprocessable("webhook-handshake-refused", "the validation request failed: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
