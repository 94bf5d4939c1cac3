-- The key the webhook endpoints' signing secrets are encrypted under (docs/security.md, "Webhook secrets at rest";
-- issue 27): one row, its key id, written by the first hub that starts on the database and by each key rotation.
-- Before it, a hub with another herald.webhooks.secret-key (or none, hence a generated one) started on a database
-- that held no endpoint yet, and an endpoint created through one instance could then not be signed by the other:
-- every delivery failed, late and one by one. Now such a hub does not start, naming the setting.
CREATE TABLE webhook_secret_key (
    single boolean PRIMARY KEY DEFAULT true CHECK (single),
    key_id text NOT NULL,
    set_at timestamptz NOT NULL DEFAULT now()
);
