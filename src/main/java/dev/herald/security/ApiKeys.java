package dev.herald.security;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.herald.http.JsonBodies;
import dev.herald.http.Problem;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Base64;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import javax.sql.DataSource;

/**
 * API keys: random 256-bit secrets, given out once and kept only as their SHA-256 (a key is not a password:
 * it has full entropy, so a fast hash cannot be brute-forced). Looked up by hash, cached briefly so a
 * request does not cost a query; a revoked key stops working within the cache time. The cache is bounded, so
 * a flood of made-up keys cannot exhaust memory.
 */
public final class ApiKeys {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String PREFIX = "hrld_";
    private static final int MOST_KEYS_CACHED = 10_000;

    private final DataSource dataSource;
    private final Cache<String, Optional<Holder>> cache;
    private final Optional<String> bootstrapHash;
    private final int retryAfterSeconds;

    /** A key's owner and what it may do. */
    /** {@code keyHash} identifies the key without being it (the rate limiter counts by it). */
    public record Holder(String keyHash, String name, Set<Scope> scopes) {
        boolean may(Scope needed) {
            return scopes.contains(needed) || scopes.contains(Scope.ADMIN);
        }
    }

    /** {@code bootstrapKey}: an admin key from the environment (never stored), to create the first keys. */
    public ApiKeys(DataSource dataSource, Duration cacheFor, String bootstrapKey, int retryAfterSeconds) {
        this.dataSource = dataSource;
        this.retryAfterSeconds = retryAfterSeconds;
        this.cache = Caffeine.newBuilder().maximumSize(MOST_KEYS_CACHED).expireAfterWrite(cacheFor).build();
        this.bootstrapHash = bootstrapKey.isBlank() ? Optional.empty() : Optional.of(hash(bootstrapKey));
    }

    /** True when no key exists at all: the API is open (the log says so at start). */
    public boolean none() throws SQLException {
        if (bootstrapHash.isPresent()) {
            return false;
        }
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement = connection.prepareStatement(
                        "SELECT NOT EXISTS (SELECT 1 FROM api_keys WHERE revoked_at IS NULL)");
                ResultSet row = statement.executeQuery()) {
            row.next();
            return row.getBoolean(1);
        }
    }

    public Optional<Holder> holderOf(String key) {
        String hash = hash(key);
        if (bootstrapHash.isPresent() && MessageDigest.isEqual(bootstrapHash.get().getBytes(StandardCharsets.UTF_8),
                hash.getBytes(StandardCharsets.UTF_8))) {
            return Optional.of(new Holder(hash, "bootstrap", EnumSet.of(Scope.ADMIN)));
        }
        return cache.get(hash, this::lookup);
    }

    private Optional<Holder> lookup(String hash) {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement = connection.prepareStatement(
                        "SELECT name, scopes FROM api_keys WHERE key_hash = ? AND revoked_at IS NULL")) {
            statement.setString(1, hash);
            try (ResultSet row = statement.executeQuery()) {
                if (!row.next()) {
                    return Optional.empty();
                }
                Set<Scope> scopes = EnumSet.noneOf(Scope.class);
                for (String scope : (String[]) row.getArray("scopes").getArray()) {
                    scopes.add(Scope.parse(scope));
                }
                return Optional.of(new Holder(hash, row.getString("name"), scopes));
            }
        } catch (SQLException e) {
            throw Problem.unavailable("database-unavailable", "the API key could not be checked: " + e.getMessage(),
                    retryAfterSeconds, e);
        }
    }

    /** Creates a key and answers it: the only time it is ever shown. */
    public String create(Connection connection, String id, String name, Set<Scope> scopes) throws SQLException {
        byte[] secret = new byte[32];
        RANDOM.nextBytes(secret);
        String key = PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        try (PreparedStatement insert = connection.prepareStatement(
                "INSERT INTO api_keys (key_id, name, key_hash, scopes) VALUES (CAST(? AS uuid), ?, ?, ?)")) {
            insert.setString(1, id);
            insert.setString(2, name);
            insert.setString(3, hash(key));
            Array array = connection.createArrayOf("text", scopes.stream().map(Scope::label).toArray());
            insert.setArray(4, array);
            insert.executeUpdate();
        }
        return key;
    }

    /** Forgets cached lookups, so a revocation applies at once on this instance. */
    public void forgetCached() {
        cache.invalidateAll();
    }

    static String hash(String key) {
        return JsonBodies.sha256(key);
    }
}
