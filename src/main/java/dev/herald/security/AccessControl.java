package dev.herald.security;

import dev.herald.http.Problem;
import dev.herald.intake.InProcessCommand;
import dev.herald.security.ApiKeys.Holder;
import io.vertx.core.net.SocketAddress;
import java.sql.SQLException;
import java.util.Locale;
import java.util.Optional;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpConstants;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every API request (routes/errors.camel.yaml intercepts them) needs {@code Authorization: Bearer <key>} with
 * the scope its path needs: operator paths (dead letters, webhooks, keys, projections, look-up) need admin,
 * reads need read, commands need commands. 401 without a valid key, 403 without the scope. While no key exists at all the
 * API is open, and the log says so at start and whenever that changes; then each client address gets its own
 * rate limit instead.
 */
public final class AccessControl {

    private static final Logger LOG = LoggerFactory.getLogger(AccessControl.class);
    private static final String[] OPERATOR_PATHS = {"/api/dead-letters", "/api/webhooks", "/api/keys",
        "/api/projections", "/api/lookup", "/api/replays"};
    // the documents of the declarations and their page (routes/api-docs.camel.yaml): no data, no key needed
    private static final String[] PUBLIC_PATHS = {"/api/openapi.json", "/api/openapi.yaml", "/api/asyncapi.json",
        "/api/docs"};

    private final ApiKeys keys;
    private final RateLimiter rateLimiter;
    private final RateLimiter anonymousRateLimiter;
    private volatile boolean open;

    /**
     * {@code ratePerKey}: requests per second one key may send; {@code ratePerAnonymousClient}: per client
     * address while the API is open (0: no limit).
     */
    public AccessControl(ApiKeys keys, double ratePerKey, double ratePerAnonymousClient) throws SQLException {
        this.keys = keys;
        this.rateLimiter = new RateLimiter(ratePerKey);
        this.anonymousRateLimiter = new RateLimiter(ratePerAnonymousClient);
        refresh();
    }

    /** Re-reads whether any key exists (after one is created or revoked). */
    public void refresh() throws SQLException {
        boolean nowOpen = keys.none();
        if (nowOpen) {
            LOG.warn("NO API KEYS ARE CONFIGURED: the HTTP API is open to anyone who can reach it. Create a key "
                    + "(POST /api/keys) or set HERALD_SECURITY_BOOTSTRAP_KEY; see docs/security.md");
        } else if (open) {
            LOG.info("API keys exist: every API request now needs one");
        }
        open = nowOpen;
        keys.forgetCached();
    }

    public void check(Exchange exchange) {
        if (exchange.getProperty(InProcessCommand.PROPERTY) != null) {
            // a reaction or a saga applying a command through the command's route, in-process: no HTTP client (a
            // request cannot set an exchange property), declared by the hub's own routes
            return;
        }
        Message in = exchange.getIn();
        String authorization = in.getHeader("Authorization", String.class);
        in.removeHeader("Authorization");
        if (open || isPublic(in.getHeader(Exchange.HTTP_URI, String.class))) {
            String client = clientAddress(in);
            refuseIfOverLimit(anonymousRateLimiter.secondsToWait(client), "the client " + client
                    + " sent more than herald.security.anonymous-rate-limit requests per second");
            return;
        }
        Scope needed = needed(in.getHeader(Exchange.HTTP_URI, String.class),
                in.getHeader(Exchange.HTTP_METHOD, String.class));
        Optional<Holder> holder = bearer(authorization).flatMap(keys::holderOf);
        if (holder.isEmpty()) {
            throw new Problem(401, "unauthorized", "Unauthorized", authorization == null
                    ? "this API needs an API key: Authorization: Bearer <key>"
                    : "the API key is not valid (unknown, revoked, or not a Bearer token)")
                    .header("WWW-Authenticate", "Bearer realm=\"herald\"");
        }
        if (!holder.get().may(needed)) {
            throw new Problem(403, "forbidden", "Forbidden", "the key \"" + holder.get().name()
                    + "\" lacks the scope " + needed.label() + " that this request needs");
        }
        refuseIfOverLimit(rateLimiter.secondsToWait(holder.get().keyHash()), "the key \"" + holder.get().name()
                + "\" sent more than herald.security.rate-limit requests per second");
    }

    private static void refuseIfOverLimit(long secondsToWait, String who) {
        if (secondsToWait > 0) {
            throw new Problem(429, "rate-limited", "Too many requests", who + "; nothing was kept")
                    .with("retryAfter", secondsToWait);
        }
    }

    /** The peer's IP address (behind a proxy: the proxy's, so every client shares one limit there). */
    private static String clientAddress(Message in) {
        SocketAddress peer = in.getHeader(VertxPlatformHttpConstants.REMOTE_ADDRESS, SocketAddress.class);
        return peer == null ? "unknown" : peer.hostAddress() != null ? peer.hostAddress() : peer.host();
    }

    /** The documents of the declarations and their page: answered without a key (docs/security.md). */
    public static boolean isPublic(String path) {
        for (String publicPath : PUBLIC_PATHS) {
            if (path != null && (path.equals(publicPath) || path.startsWith(publicPath + "/"))) {
                return true;
            }
        }
        return false;
    }

    /** The scope a request needs; public for the OpenAPI document, which names it per operation. */
    public static Scope needed(String path, String method) {
        String uri = path == null ? "" : path;
        for (String operatorPath : OPERATOR_PATHS) {
            if (uri.startsWith(operatorPath)) {
                return Scope.ADMIN;
            }
        }
        if (uri.startsWith("/api/sagas/") && uri.endsWith("/retry")) {
            return Scope.ADMIN; // an operator's decision about a failed saga; reading sagas needs read
        }
        return "GET".equals(method) || "HEAD".equals(method) ? Scope.READ : Scope.COMMANDS;
    }

    private static Optional<String> bearer(String authorization) {
        if (authorization == null || !authorization.toLowerCase(Locale.ROOT).startsWith("bearer ")) {
            return Optional.empty();
        }
        String key = authorization.substring("bearer ".length()).strip();
        return key.isEmpty() ? Optional.empty() : Optional.of(key);
    }
}
