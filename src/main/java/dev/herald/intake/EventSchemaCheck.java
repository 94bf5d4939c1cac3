package dev.herald.intake;

import dev.herald.contract.EventSchemas;
import org.apache.camel.CamelContext;

/**
 * At start, before any route runs: the event each declared command emits has a schema for the version it declares
 * ({@code eventVersion}, 1 unless set), a file in the event schema registry. Without one its events could not be
 * checked before they are stored, so the start is refused, naming the route, the type, the version and the file to
 * write. (The registry itself checked its files and each type's versions for compatibility when it was read.)
 */
public final class EventSchemaCheck {

    private EventSchemaCheck() {
    }

    public static void check(CamelContext camel, EventSchemas schemas) {
        CommandRoutes.forEachDeclared(camel, (route, command) -> {
            if (schemas.version(command.getEvent(), command.getEventVersion()).isEmpty()) {
                throw new IllegalArgumentException("event " + command.getEvent() + " version "
                        + command.getEventVersion() + " has no schema: write "
                        + schemas.fileOf(command.getEvent(), command.getEventVersion())
                        + " (the JSON Schema of its data; docs/events.md)");
            }
        });
    }
}
