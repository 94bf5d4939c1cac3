package dev.herald.bridge.webhook;

import dev.herald.bridge.webhook.SecretCipher.Key;
import dev.herald.settings.Settings;
import dev.herald.settings.Webhooks;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The keys of {@link SecretCipher}: herald.webhooks.secret-key (or its -file) encrypts, the
 * herald.webhooks.previous-secret-keys only decrypt. With no key set, one is generated once into
 * {@code <herald.data.dir>/webhook-secret.key} (owner-only), so the zero-install run works; the log warns,
 * since instances that share a database must share the key.
 */
final class SecretKeyring {

    private static final Logger LOG = LoggerFactory.getLogger(SecretKeyring.class);
    static final String GENERATED_FILE = "webhook-secret.key";

    private SecretKeyring() {
    }

    static SecretCipher cipher(Settings settings, Path dataDir) {
        String configured = settings.secret(Webhooks.SECRET_KEY);
        Path file = dataDir.resolve(GENERATED_FILE);
        Key current = configured.isEmpty() ? generated(file) : Key.parse(configured, "herald.webhooks.secret-key");
        List<Key> previous = settings.secret(Webhooks.PREVIOUS_SECRET_KEYS).stream()
                .map(key -> Key.parse(key, "each of herald.webhooks.previous-secret-keys")).toList();
        return new SecretCipher(current, configured.isEmpty() ? "no herald.webhooks.secret-key is set: the key"
                + " generated into " + file.toAbsolutePath() : "herald.webhooks.secret-key", previous);
    }

    private static Key generated(Path file) {
        try {
            if (!Files.exists(file)) {
                byte[] bytes = new byte[32];
                new SecureRandom().nextBytes(bytes);
                write(file, Base64.getEncoder().encodeToString(bytes) + "\n");
            }
            Key key = Key.parse(Files.readString(file, StandardCharsets.UTF_8), file.toString());
            LOG.warn("NO WEBHOOK SECRET KEY IS CONFIGURED: endpoints' signing secrets are encrypted with a key"
                    + " generated into {} (key id {}). In production set HERALD_WEBHOOKS_SECRET_KEY (or"
                    + " HERALD_WEBHOOKS_SECRET_KEY_FILE), the same on every instance sharing the database; see"
                    + " docs/security.md", file.toAbsolutePath(), key.id());
            return key;
        } catch (IOException e) {
            throw new IllegalStateException("the generated webhook secret key " + file + " cannot be read or"
                    + " written (" + e + "); set herald.webhooks.secret-key", e);
        }
    }

    /** Created readable by its owner only, before any byte of the key is in it. */
    private static void write(Path file, String content) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException notPosix) {
            Files.createFile(file);
        } catch (FileAlreadyExistsException raced) {
            return;
        }
        Files.writeString(file, content, StandardCharsets.UTF_8);
    }
}
