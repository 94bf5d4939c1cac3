package dev.herald.http;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An RFC 9457 problem: thrown wherever a request is refused, rendered as application/problem+json by
 * {@link ProblemResponder}. {@code type} is a stable URN clients can switch on.
 */
public class Problem extends RuntimeException {

    private final int status;
    private final String type;
    private final String title;
    private final Map<String, Object> extensions = new LinkedHashMap<>();
    private final Map<String, String> headers = new LinkedHashMap<>();

    public Problem(int status, String type, String title, String detail) {
        this(status, type, title, detail, null);
    }

    public Problem(int status, String type, String title, String detail, Throwable cause) {
        super(detail, cause);
        this.status = status;
        this.type = "urn:herald:problem:" + type;
        this.title = title;
    }

    public Problem with(String key, Object value) {
        extensions.put(key, value);
        return this;
    }

    /** A response header the problem needs, e.g. WWW-Authenticate on a 401. */
    public Problem header(String name, String value) {
        headers.put(name, value);
        return this;
    }

    /** The response headers: those the problem asked for, and Retry-After when it has one. */
    public Map<String, String> headers() {
        Object retryAfter = extensions.get("retryAfter");
        if (retryAfter == null) {
            return headers;
        }
        Map<String, String> all = new LinkedHashMap<>(headers);
        all.put("Retry-After", String.valueOf(retryAfter));
        return all;
    }

    public int status() {
        return status;
    }

    public String type() {
        return type;
    }

    public String title() {
        return title;
    }

    public String detail() {
        return getMessage();
    }

    public Map<String, Object> extensions() {
        return extensions;
    }

    public static Problem badRequest(String type, String detail) {
        return new Problem(400, type, "Bad request", detail);
    }

    public static Problem notFound(String detail) {
        return new Problem(404, "not-found", "Not found", detail);
    }

    public static Problem conflict(String type, String detail) {
        return new Problem(409, type, "Conflict", detail);
    }

    public static Problem unprocessable(String type, String detail) {
        return new Problem(422, type, "Unprocessable content", detail);
    }

    /** 503 with Retry-After: the request was refused and nothing of it was kept. */
    public static Problem unavailable(String type, String detail, int retryAfterSeconds, Throwable cause) {
        return new Problem(503, type, "Service unavailable", detail, cause).with("retryAfter", retryAfterSeconds);
    }
}
