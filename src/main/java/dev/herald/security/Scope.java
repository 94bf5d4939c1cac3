package dev.herald.security;

import dev.herald.http.Problem;
import java.util.Locale;

/** What an API key may do: send commands, read, or operate the hub (dead letters, webhooks, keys). */
public enum Scope {
    COMMANDS, READ, ADMIN;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    static Scope parse(String label) {
        try {
            return valueOf(label.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw Problem.badRequest("invalid-scope", "scope " + label + " is not one of commands, read, admin");
        }
    }
}
