package dev.herald.bridge.webhook;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.standardwebhooks.Webhook;
import java.time.Duration;
import java.util.UUID;

/**
 * Endpoints' signing secrets, opened ({@link SecretCipher#open}) once per stored form instead of once per request:
 * AES-GCM's set-up and decryption took about 3 µs of a delivery's 4.4 µs of signing, warm, and more while the code
 * is still cold (docs/performance.md, Webhooks).
 *
 * <p>The key is the endpoint id and the secret exactly as stored, not the endpoint alone. Every change of a secret
 * stores a new form (a rotation seals the new secret under a fresh nonce; re-encryption under a new key, too), and
 * each claim reads the endpoint's columns afresh, so a rotation made through any instance is signed with from the
 * next claim on, as without the cache; nothing needs invalidating. Forms no longer stored are dropped by size and
 * after {@link #IDLE} unused, so opened secrets stay in memory no longer than their endpoint sends. A form no
 * configured key opens is not kept: each attempt fails with the reason, as before.
 */
final class OpenedSecrets {

    /** Opened forms kept at most: a miss costs one decryption, so the bound only caps memory. */
    private static final int MOST = 10_000;
    private static final Duration IDLE = Duration.ofMinutes(10);

    private record Sealed(UUID endpoint, String stored) {
    }

    private final SecretCipher cipher;
    private final Cache<Sealed, Webhook> opened = Caffeine.newBuilder().maximumSize(MOST).expireAfterAccess(IDLE)
            .build();

    OpenedSecrets(SecretCipher cipher) {
        this.cipher = cipher;
    }

    /** The reference library's signer for the endpoint's secret stored as {@code stored}. */
    Webhook signer(UUID endpoint, String stored) {
        return opened.get(new Sealed(endpoint, stored), sealed -> new Webhook(cipher.open(endpoint, stored)));
    }

    /** How many opened forms are kept (for tests). */
    long size() {
        opened.cleanUp();
        return opened.estimatedSize();
    }
}
