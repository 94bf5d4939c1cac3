package dev.herald.settings;

import java.util.ArrayList;
import java.util.List;

/** The settings of one capability, in the order the README lists them. */
final class Group {

    private final String title;
    private final List<Setting<?>> settings = new ArrayList<>();

    Group(String title) {
        this.title = title;
    }

    <T> Setting<T> add(Setting<T> setting) {
        settings.add(setting);
        return setting;
    }

    String title() {
        return title;
    }

    List<Setting<?>> settings() {
        return List.copyOf(settings);
    }
}
