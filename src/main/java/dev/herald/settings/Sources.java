package dev.herald.settings;

/** Where declarations are read from: settings declared once (README's table is generated from them). */
public final class Sources {

    static final Group GROUP = new Group("Where declarations are read from");

    public static final Setting<String> ROUTES_DIR = GROUP.add(Setting.of(
            "herald.routes.dir", Kind.required(), "routes",
            "directory of `*.camel.yaml` route files, read at start (and at a change, with `herald.dev.reload`)"));

    public static final Setting<String> SCHEMAS_DIR = GROUP.add(Setting.of(
            "herald.schemas.dir", Kind.required(), "schemas",
            "directory of the commands' JSON Schemas; `events/<type>/<version>.json` in it are the event schemas"));

    public static final Setting<Boolean> DEV_RELOAD = GROUP.add(Setting.of(
            "herald.dev.reload", Kind.flag(), "false",
            "development only: a changed route file, schema or RabbitMQ consumers file (`bridges/rabbitmq.yaml`) is "
            + "applied in place, after the start-up checks (a file failing them is refused, the previous one keeps "
            + "serving); see docs/operations.md, \"Live reload\""));

    public static final Setting<String> DB_DOMAIN_MIGRATIONS = GROUP.add(Setting.of(
            "herald.db.domain-migrations", Kind.required(), "filesystem:sql",
            "Flyway locations of the domain tables (comma separated)"));

    private Sources() {
    }
}
