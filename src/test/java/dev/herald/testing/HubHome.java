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
            Files.createDirectories(root.resolve(file).getParent());
            Files.writeString(root.resolve(file), text);
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A products command on top of the shipped ones, as an engineer adds it: a migration, a schema, its event's
     * schema and one templated route publishing to {@code topic}.
     */
    public HubHome withProducts(String topic) {
        return write("sql/V900__products.sql", """
                CREATE TABLE products (product_id text PRIMARY KEY, name text NOT NULL,
                                       price numeric(12,2) NOT NULL, version int NOT NULL);
                """)
                .write("schemas/product-create.json", """
                {"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object",
                 "additionalProperties": false, "required": ["name", "price"],
                 "properties": {"name": {"type": "string", "minLength": 1}, "price": {"type": "number", "minimum": 0}}}
                """)
                .write("schemas/events/product.created/1.json", """
                {"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object",
                 "additionalProperties": false, "required": ["product_id", "name", "price"],
                 "properties": {"product_id": {"type": "string"}, "name": {"type": "string"},
                                "price": {"type": "number"}}}
                """)
                .write("routes/products.camel.yaml", productCommand(topic, "product-create.json", ":#name"));
    }

    /**
     * The products command with a bug in its declaration: its SQL returns the price as text, where product.created v1
     * says number, so every create breaks the event's contract (500 event-contract-violation, logged as ERROR).
     */
    public HubHome withProductsBreakingTheirEventSchema() {
        Path route = withProducts("products").routes().resolve("products.camel.yaml");
        try {
            Files.writeString(route, Files.readString(route).replace("RETURNING product_id, name, price",
                    "RETURNING product_id, name, CAST(price AS text) AS price"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    /**
     * The products command's route file: a templated route of {@code command} publishing to {@code topic}, validating
     * with {@code schema}, its SQL naming {@code nameParameter} for the name (a test of the checks misspells it).
     */
    public static String productCommand(String topic, String schema, String nameParameter) {
        return """
                - templatedRoute:
                    routeTemplateRef: command
                    routeId: product.create
                    parameters:
                      - { name: method, value: POST }
                      - { name: path, value: /api/products }
                      - { name: schema, value: %s }
                      - { name: aggregate, value: product }
                      - { name: event, value: product.created }
                      - { name: topic, value: "%s" }
                      - { name: resource, value: /api/products }
                      - { name: id, value: new }
                      - name: sql
                        value: >-
                          INSERT INTO products (product_id, name, price, version)
                          VALUES (:#id, %s, :#price, :#version) RETURNING product_id, name, price
                """.formatted(schema, topic, nameParameter);
    }

    /** A read of one product by id, GET /api/products/{id}, beside the products command. */
    public static final String PRODUCT_READS = """
            - templatedRoute:
                routeTemplateRef: query
                routeId: product.get
                parameters:
                  - { name: path, value: "/api/products/{id}" }
                  - { name: single, value: "true" }
                  - { name: sql, value: "SELECT product_id, name, price, version FROM products WHERE product_id = :#id" }
            """;

    /** GET /api/products/{id} beside {@link #withProducts}: a query route, with these extra parameters (YAML lines). */
    public HubHome withProductGet(String... parameters) {
        StringBuilder extra = new StringBuilder();
        for (String parameter : parameters) {
            extra.append("      ").append(parameter).append('\n');
        }
        return write("routes/product-reads.camel.yaml", PRODUCT_READS + extra);
    }

    /** The settings that point a hub at this home. */
    public Map<String, String> settings() {
        return Map.of("herald.routes.dir", routes().toString(), "herald.schemas.dir", schemas().toString(),
                "herald.db.domain-migrations", "filesystem:" + sql());
    }

    private static void copy(Path from, Path to) {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path file : files.toList()) {
                Path copy = to.resolve(from.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(copy);
                } else {
                    Files.copy(file, copy);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
