package dev.herald.bridge.webhook;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Endpoint signing secrets at rest: AES-256-GCM, stored as {@code enc:v1:<key id>:<base64 of nonce and
 * ciphertext>}, the key id being a short fingerprint of the key and the endpoint id bound as associated data,
 * so a stored secret copied to another endpoint does not decrypt. Earlier keys only decrypt; a clear
 * {@code whsec_} secret (a row from before encryption) is read as it is until the start-up pass re-encrypts it.
 */
final class SecretCipher {

    private static final String PREFIX = "enc:v1:";
    private static final String CLEAR_PREFIX = "whsec_";
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final SecureRandom RANDOM = new SecureRandom();

    /** An AES-256 key and its fingerprint. */
    record Key(String id, SecretKeySpec spec) {

        /** From base64 of 32 bytes; {@code setting} names where it came from, for the error. */
        static Key parse(String base64, String setting) {
            byte[] bytes;
            try {
                bytes = Base64.getDecoder().decode(base64.strip());
            } catch (IllegalArgumentException e) {
                bytes = new byte[0];
            }
            if (bytes.length != 32) {
                throw new IllegalStateException(setting + " must be the base64 of 32 random bytes"
                        + " (openssl rand -base64 32)");
            }
            return of(bytes);
        }

        static Key of(byte[] bytes) {
            try {
                byte[] digest = MessageDigest.getInstance("SHA-256").digest(bytes);
                return new Key(HexFormat.of().formatHex(digest, 0, 4), new SecretKeySpec(bytes, "AES"));
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** A stored secret no configured key opens. */
    static final class UnreadableSecret extends IllegalStateException {
        UnreadableSecret(String message) {
            super(message);
        }
    }

    private final Key current;
    private final String currentOrigin;
    private final List<Key> keys;

    SecretCipher(Key current, List<Key> previous) {
        this(current, "herald.webhooks.secret-key", previous);
    }

    /** {@code currentOrigin} says where the current key came from, for errors (a setting, or a generated file). */
    SecretCipher(Key current, String currentOrigin, List<Key> previous) {
        this.current = current;
        this.currentOrigin = currentOrigin;
        this.keys = new ArrayList<>(List.of(current));
        keys.addAll(previous);
    }

    String currentKeyId() {
        return current.id();
    }

    String currentOrigin() {
        return currentOrigin;
    }

    /** Whether a secret under key id {@code id} is one this cipher only decrypts (a previous key). */
    boolean isPrevious(String id) {
        return keys.stream().skip(1).anyMatch(key -> key.id().equals(id));
    }

    List<String> keyIds() {
        return keys.stream().map(Key::id).toList();
    }

    boolean isCurrent(String stored) {
        return stored.startsWith(PREFIX + current.id() + ":");
    }

    String seal(UUID endpoint, String secret) {
        byte[] nonce = new byte[NONCE_BYTES];
        RANDOM.nextBytes(nonce);
        byte[] sealed = crypt(Cipher.ENCRYPT_MODE, current, nonce, endpoint,
                secret.getBytes(StandardCharsets.UTF_8), 0);
        byte[] stored = new byte[NONCE_BYTES + sealed.length];
        System.arraycopy(nonce, 0, stored, 0, NONCE_BYTES);
        System.arraycopy(sealed, 0, stored, NONCE_BYTES, sealed.length);
        return PREFIX + current.id() + ":" + Base64.getEncoder().encodeToString(stored);
    }

    /** The secret, from its stored form; {@link UnreadableSecret} when no configured key opens it. */
    String open(UUID endpoint, String stored) {
        if (stored.startsWith(CLEAR_PREFIX)) {
            return stored;
        }
        String[] parts = stored.split(":", 4);
        byte[] data;
        try {
            data = parts.length == 4 && stored.startsWith(PREFIX) ? Base64.getDecoder().decode(parts[3]) : null;
        } catch (IllegalArgumentException e) {
            data = null;
        }
        if (data == null || data.length <= NONCE_BYTES) {
            throw new UnreadableSecret("the signing secret of endpoint " + endpoint + " is in no known format");
        }
        boolean keyKnown = false;
        for (Key key : keys) {
            if (key.id().equals(parts[2])) {
                keyKnown = true;
                try {
                    return new String(crypt(Cipher.DECRYPT_MODE, key, data, endpoint, data, NONCE_BYTES),
                            StandardCharsets.UTF_8);
                } catch (IllegalStateException notThisKey) {
                    // another configured key may share the fingerprint
                }
            }
        }
        throw new UnreadableSecret(keyKnown
                ? "the signing secret of endpoint " + endpoint + " does not decrypt under key id " + parts[2]
                        + " (altered, or copied from another endpoint)"
                : "the signing secret of endpoint " + endpoint + " is encrypted under key id " + parts[2]
                        + ", which is neither herald.webhooks.secret-key nor one of"
                        + " herald.webhooks.previous-secret-keys (configured key ids: " + keyIds() + ")");
    }

    /** {@code nonceSource}'s first 12 bytes are the nonce; the text starts at {@code offset} of {@code text}. */
    private static byte[] crypt(int mode, Key key, byte[] nonceSource, UUID endpoint, byte[] text, int offset) {
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(mode, key.spec(), new GCMParameterSpec(TAG_BITS, nonceSource, 0, NONCE_BYTES));
            cipher.updateAAD(("herald-webhook-endpoint:" + endpoint).getBytes(StandardCharsets.UTF_8));
            return cipher.doFinal(text, offset, text.length - offset);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM " + (mode == Cipher.ENCRYPT_MODE ? "encryption" : "decryption")
                    + " failed: " + e.getMessage(), e);
        }
    }
}
