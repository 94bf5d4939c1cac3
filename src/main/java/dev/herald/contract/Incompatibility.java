package dev.herald.contract;

/**
 * One reason a schema version cannot follow another under a compatibility mode.
 *
 * @param pointer JSON Pointer of the place in the schema ({@code /properties/email}); empty for the root
 * @param rule    the rule broken, e.g. {@code required-added} (docs/events.md lists them)
 * @param detail  what the rule found, naming which version reads and which wrote
 */
public record Incompatibility(String pointer, String rule, String detail) {

    @Override
    public String toString() {
        return (pointer.isEmpty() ? "/" : pointer) + ": " + rule + ": " + detail;
    }
}
