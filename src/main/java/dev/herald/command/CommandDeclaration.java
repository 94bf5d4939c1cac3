package dev.herald.command;

/**
 * One command as declared by the {@code herald:command} step of its route in routes/*.camel.yaml.
 *
 * @param name          the command's name (the route id)
 * @param aggregateType e.g. {@code customer}
 * @param eventType     e.g. {@code customer.created}
 * @param eventVersion  schema version of the event's data
 * @param topic         Kafka topic of the aggregate type
 * @param resource      collection URL; the aggregate lives at resource/{id}
 * @param newAggregate  true when the command creates the aggregate (fresh id), false when {id} names it
 * @param mode          how its event reaches Kafka: in the lane's Kafka transaction, via the relay, or right after
 *                      the database commit (docs/guarantees.md)
 * @param captured      true: a row change captured from a table Herald does not own (docs/cdc.md): its event follows
 *                      whatever the aggregate has (none: version 1), since the row, not Herald, decided the change
 */
public record CommandDeclaration(String name, String aggregateType, String eventType, int eventVersion, String topic,
        String resource, boolean newAggregate, PublishMode mode, boolean captured) {

    /** Answer 202 once committed and let the relay publish. */
    public boolean outbox() {
        return mode == PublishMode.OUTBOX;
    }

    /** Publish right after the database commit, without a Kafka transaction. */
    public boolean eager() {
        return mode == PublishMode.EAGER;
    }
}
