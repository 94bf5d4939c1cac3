package dev.herald.cdc;

/**
 * A row change that can never become an event as it is: an operation other than insert, update, delete or snapshot
 * read, no row image, or a row without its source's id column. The source dead-letters it (stage {@code cdc}) and
 * goes on, as it does with a change whose event its schema refuses (routes/cdc.camel.yaml, docs/cdc.md).
 */
public final class ChangeRefused extends IllegalArgumentException {

    public ChangeRefused(String reason) {
        super(reason);
    }
}
