package dev.herald.bridge.webhook;

import dev.herald.bridge.webhook.SecretCipher.UnreadableSecret;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * At start, every endpoint secret not under the current key (clear-text rows from before encryption, rows under
 * a previous key) is re-encrypted with it, in one transaction. A secret no configured key opens stops the start,
 * naming its endpoints: the key they need is missing, and sending unsigned or skipping them would be worse.
 *
 * <p>The database also records the key the secrets are under (webhook_secret_key, V15): the first hub to start
 * writes it, a rotation (the recorded key is one of the previous keys) moves it. A hub whose current key is another
 * one does not start, even while no endpoint exists yet: instances sharing the database with different keys could
 * each not sign what the other created, and would find out per delivery.
 */
final class SecretReencryption {

    private static final Logger LOG = LoggerFactory.getLogger(SecretReencryption.class);

    private static final String SQL_CLAIM_KEY =
            "INSERT INTO webhook_secret_key (key_id) VALUES (?) ON CONFLICT DO NOTHING";
    private static final String SQL_RECORDED_KEY = "SELECT key_id FROM webhook_secret_key FOR UPDATE";
    private static final String SQL_ROTATE_KEY = "UPDATE webhook_secret_key SET key_id = ?, set_at = now()";

    private SecretReencryption() {
    }

    static void run(DataSource dataSource, SecretCipher cipher) throws SQLException {
        List<String> unreadable = new ArrayList<>();
        int reencrypted = 0;
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            // first, so that instances starting together take the same lock in the same order
            String recorded = recordedKey(connection, cipher);
            try (PreparedStatement select = connection.prepareStatement(
                    "SELECT id, url, secret, previous_secret FROM webhook_endpoints ORDER BY id FOR UPDATE");
                    PreparedStatement update = connection.prepareStatement(
                            "UPDATE webhook_endpoints SET secret = ?, previous_secret = ? WHERE id = ?");
                    ResultSet row = select.executeQuery()) {
                while (row.next()) {
                    UUID id = row.getObject("id", UUID.class);
                    String secret = row.getString("secret");
                    String previous = row.getString("previous_secret");
                    if (cipher.isCurrent(secret) && (previous == null || cipher.isCurrent(previous))) {
                        continue;
                    }
                    try {
                        update.setString(1, cipher.seal(id, cipher.open(id, secret)));
                        update.setString(2, previous == null ? null : cipher.seal(id, cipher.open(id, previous)));
                        update.setObject(3, id);
                        update.addBatch();
                        reencrypted++;
                    } catch (UnreadableSecret e) {
                        unreadable.add(e.getMessage() + " (" + row.getString("url") + ")");
                    }
                }
                if (!unreadable.isEmpty()) {
                    connection.rollback();
                    throw new IllegalStateException(unreadable.size() + " webhook signing secret(s) cannot be"
                            + " decrypted with the configured keys (" + cipher.currentOrigin() + " has key id "
                            + cipher.currentKeyId() + "). If other instances share this database, give this one"
                            + " their herald.webhooks.secret-key; if you are rotating the key, list the old one in"
                            + " herald.webhooks.previous-secret-keys (docs/security.md): "
                            + String.join("; ", unreadable));
                }
                if (!recorded.equals(cipher.currentKeyId())) {
                    if (!cipher.isPrevious(recorded)) {
                        connection.rollback();
                        throw new IllegalStateException(mismatch(recorded, cipher));
                    }
                    try (PreparedStatement rotate = connection.prepareStatement(SQL_ROTATE_KEY)) {
                        rotate.setString(1, cipher.currentKeyId());
                        rotate.executeUpdate();
                    }
                    LOG.info("webhook signing secrets: key id {} replaces key id {} (rotation)",
                            cipher.currentKeyId(), recorded);
                }
                update.executeBatch();
            }
            connection.commit();
        }
        if (reencrypted > 0) {
            LOG.info("re-encrypted the signing secrets of {} webhook endpoint(s) with key id {}", reencrypted,
                    cipher.currentKeyId());
        }
    }

    /** The key id the database records, this hub's current one if it is the first to record one. */
    private static String recordedKey(Connection connection, SecretCipher cipher) throws SQLException {
        try (PreparedStatement claim = connection.prepareStatement(SQL_CLAIM_KEY)) {
            claim.setString(1, cipher.currentKeyId());
            claim.executeUpdate();
        }
        try (PreparedStatement select = connection.prepareStatement(SQL_RECORDED_KEY);
                ResultSet row = select.executeQuery()) {
            row.next();
            return row.getString(1);
        }
    }

    private static String mismatch(String recorded, SecretCipher cipher) {
        return "herald.webhooks.secret-key: this database's webhook signing secrets are encrypted under key id "
                + recorded + " (the key of the instance that first started on it, or last rotated it), but "
                + cipher.currentOrigin() + " has key id " + cipher.currentKeyId() + ". An endpoint created through"
                + " this instance could not be signed by the others, nor theirs by this one. Give every instance"
                + " sharing the database the same herald.webhooks.secret-key (openssl rand -base64 32, from one"
                + " secret); to rotate to a new key, list the old one in herald.webhooks.previous-secret-keys"
                + " (docs/security.md)";
    }
}
