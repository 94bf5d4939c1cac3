package dev.herald.settings;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Every {@code herald.*} setting, in the README's order. The shipped application.properties must give each its
 * declared default, and the README's table is this catalog rendered (both checked by SettingsCatalogTest).
 */
public final class Catalog {

    /**
     * Key prefixes open to any name: the topic settings of an engineer's own commands ({{herald.topics.invoices}}),
     * the services sagas call (herald.services.payment.url).
     */
    static final List<String> FAMILIES = List.of("herald.topics.", Sagas.SERVICES);

    private Catalog() {
    }

    static List<Group> groups() {
        return List.of(Http.GROUP, Sources.GROUP, Engines.GROUP, Publishing.GROUP, Relaying.GROUP, Shedding.GROUP,
                DeadLetters.GROUP, Security.GROUP, Bridges.GROUP, RabbitMq.GROUP, Sinks.GROUP, Reactions.GROUP,
                Cdc.GROUP, Projections.GROUP, EventSourcing.GROUP, Sagas.GROUP, Replays.GROUP, Events.GROUP,
                SchemaRegistry.GROUP, Webhooks.GROUP, Stopping.GROUP, Tracing.GROUP, Logging.GROUP);
    }

    public static List<Setting<?>> all() {
        return groups().stream().flatMap(group -> group.settings().stream()).toList();
    }

    /** Every key a setting may be given under: the declared ones and each secret's {@code -file}. */
    static Set<String> keys() {
        Set<String> keys = new TreeSet<>();
        for (Setting<?> setting : all()) {
            keys.add(setting.key());
            if (setting.secret()) {
                keys.add(setting.fileKey());
            }
        }
        return keys;
    }

    static boolean declares(String key) {
        return keys().contains(key) || FAMILIES.stream().anyMatch(family -> key.startsWith(family)
                && key.length() > family.length());
    }

    /** The README's settings table. */
    static String table() {
        StringBuilder table = new StringBuilder("| setting | default | meaning |\n|---|---|---|\n");
        for (Setting<?> setting : all()) {
            table.append("| `").append(setting.key()).append('`').append(setting.secret() ? " (`-file`)" : "")
                    .append(" | ").append(shownDefault(setting)).append(" | ").append(setting.description())
                    .append(" |\n");
        }
        return table.toString();
    }

    private static String shownDefault(Setting<?> setting) {
        if (!setting.shownDefault().isEmpty()) {
            return setting.shownDefault();
        }
        return setting.defaultValue().isEmpty() ? "*(empty)*" : "`" + setting.defaultValue() + "`";
    }
}
