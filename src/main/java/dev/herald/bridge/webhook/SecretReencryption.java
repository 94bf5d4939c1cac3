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
 */
final class SecretReencryption {

    private static final Logger LOG = LoggerFactory.getLogger(SecretReencryption.class);

    private SecretReencryption() {
    }

    static void run(DataSource dataSource, SecretCipher cipher) throws SQLException {
        List<String> unreadable = new ArrayList<>();
        int reencrypted = 0;
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
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
                            + " decrypted with the configured keys; set the key they were encrypted with in"
                            + " herald.webhooks.previous-secret-keys (docs/security.md): " + String.join("; ", unreadable));
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
}
