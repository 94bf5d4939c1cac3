package dev.herald.bridge;

import dev.herald.settings.Kind;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The Kafka topics one bridge consumes, and why (for the start log). The bridge's own setting, when set, is
 * taken as written; otherwise every topic a {@code herald:command} step declares, less
 * herald.bridges.exclude-topics, so a new command is bridged without a second list to keep in step.
 */
public record BridgeTopics(List<String> topics, String reason) {

    /**
     * @param setting  the bridge's setting (herald.rabbitmq.topics), named in the reason
     * @param explicit its value, comma separated; empty = derive from the declarations
     * @param declared the topics of the loaded routes' commands
     * @param excluded herald.bridges.exclude-topics, comma separated
     */
    public static BridgeTopics select(String setting, String explicit, Collection<String> declared, String excluded) {
        List<String> listed = list(explicit);
        if (!listed.isEmpty()) {
            return new BridgeTopics(listed, "set by " + setting);
        }
        Set<String> topics = new TreeSet<>(declared);
        List<String> dropped = list(excluded).stream().filter(topics::remove).toList();
        // an exclusion matching no declared topic is most likely a typo: say so rather than stay silent
        List<String> unknown = list(excluded).stream().filter(t -> !declared.contains(t)).toList();
        return new BridgeTopics(List.copyOf(topics), "declared by the commands"
                + (dropped.isEmpty() ? "" : ", less excluded " + dropped)
                + (unknown.isEmpty() ? "" : "; excluded but declared by no command: " + unknown));
    }

    /** "a, b,,a" -> [a, b]: blanks dropped, each topic once, in written order. */
    static List<String> list(String commaSeparated) {
        return List.copyOf(new LinkedHashSet<>(Kind.commaSeparated(commaSeparated)));
    }
}
