package dev.herald.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;

/** A copy of the shipped routes, schemas and SQL in a temporary directory, for a test to add declarations to. */
public record HubHome(Path root) {

    public static HubHome copyOfShipped(Path root) {
        for (String dir : new String[] {"routes", "schemas", "sql"}) {
            copy(Path.of(dir), root.resolve(dir));
        }
        return new HubHome(root);
    }

    public Path routes() {
        return root.resolve("routes");
    }

    public Path schemas() {
        return root.resolve("schemas");
    }

    public Path sql() {
        return root.resolve("sql");
    }

    public HubHome write(String file, String text) {
        try {
            Files.writeString(root.resolve(file), text);
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The settings that point a hub at this home. */
    public Map<String, String> settings() {
        return Map.of("herald.routes.dir", routes().toString(), "herald.schemas.dir", schemas().toString(),
                "herald.db.domain-migrations", "filesystem:" + sql());
    }

    private static void copy(Path from, Path to) {
        try (Stream<Path> files = Files.list(from)) {
            Files.createDirectories(to);
            for (Path file : files.toList()) {
                Files.copy(file, to.resolve(file.getFileName()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
