-- API keys: only a key's SHA-256 is kept; the key itself is shown once, when it is created.
CREATE TABLE api_keys (
    key_id      uuid        PRIMARY KEY,
    name        text        NOT NULL,
    key_hash    text        NOT NULL UNIQUE,
    scopes      text[]      NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    revoked_at  timestamptz
);
