package dev.herald;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariDataSource;
import dev.herald.command.Command;
import dev.herald.command.CommandResult;
import dev.herald.command.Publication;
import dev.herald.http.JsonBodies;
import dev.herald.http.JsonRequest;
import dev.herald.intake.CommandAnswer;
import dev.herald.intake.ProblemResponder;
import dev.herald.intake.SchemaFiles;
import dev.herald.intake.SqlParameterCheck;
import dev.herald.intake.StrictSchemaLoader;
import dev.herald.observe.CommandMeters;
import dev.herald.store.Database;
import dev.herald.store.SqlParameters;
import dev.herald.testing.Engines;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Map;
import java.util.UUID;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.NamedNode;
import org.apache.camel.Processor;
import org.apache.camel.Route;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.builder.TemplatedRouteBuilder;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.spi.Policy;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The {@code command} template of routes/templates.camel.yaml at route level: its steps in order, with the lane
 * replaced by a policy that runs the steps at once; its SQL runs on PostgreSQL (a fresh schema, migrated), with a mock
 * beside the sql: step recording what reached it. The whole-hub tests prove the
 * behaviour on real engines (BadInputTest: 400, 415, a header never filling a SQL parameter; DeclarationChecksTest
 * and LiveReloadTest: a missing schema, an unsupplied SQL parameter, a misspelt option stop a real hub; the
 * pipeline tests: the SQL on PostgreSQL); this one shows what the template does with a request, fast.
 */
class CommandTemplateRouteTest extends CamelTestSupport {

    private static final ObjectMapper JSON = new ObjectMapper();

    private HikariDataSource database;

    @AfterEach
    void closeDatabase() {
        if (database != null) {
            database.close();
        }
    }

    @Override
    public boolean isUseAdviceWith() {
        return true;
    }

    @Override
    protected CamelContext createCamelContext() throws Exception {
        CamelContext camel = super.createCamelContext();
        camel.getPropertiesComponent().addInitialProperty("herald.schemas.dir", "schemas");
        camel.getPropertiesComponent().addInitialProperty("herald.publish.mode", "sync");
        camel.getPropertiesComponent().addInitialProperty("herald.topics.customers", "customers");
        camel.getPropertiesComponent().addInitialProperty("herald.topics.orders", "orders");
        camel.getRegistry().bind("herald", new HeraldComponent(() -> { }));
        camel.getRegistry().bind("jsonRequest", new JsonRequest());
        camel.getRegistry().bind("strictJson", JsonBodies.MAPPER);
        camel.getRegistry().bind("schemaLoader", new StrictSchemaLoader());
        camel.getRegistry().bind("groupCommit", new RunAtOnce());
        // the template's sql: step runs on PostgreSQL, on a schema of this test's with the domain tables and customer c-1
        Engines engines = Engines.get();
        database = Database.open(engines.freshSchema(), engines.user(), engines.password(), 2);
        Database.migrate(database, "filesystem:sql");
        try (Connection connection = database.getConnection(); PreparedStatement insert = connection.prepareStatement(
                "INSERT INTO customers (customer_id, full_name, email, version) VALUES ('c-1', 'Ada', 'ada@old.example', 3)")) {
            insert.executeUpdate();
        }
        camel.getRegistry().bind("dataSource", database);
        CommandMeters meters = new CommandMeters(new SimpleMeterRegistry());
        camel.getRegistry().bind("commandAnswer", new CommandAnswer(meters));
        camel.getRegistry().bind("problems", new ProblemResponder(meters, id -> true, 1));
        camel.getRegistry().bind("access", new Object() {
            @SuppressWarnings("unused")
            public void check(Exchange exchange) {
            }
        });
        SchemaFiles.checkAtStart(camel);
        PluginHelper.getRoutesLoader(camel).loadRoutes(
                ResourceHelper.resolveResource(camel, "file:routes/templates.camel.yaml"),
                ResourceHelper.resolveResource(camel, "file:routes/errors.camel.yaml"));
        return camel;
    }

    /** customer.update, as routes/customers.camel.yaml declares it, from direct: instead of platform-http. */
    private MockEndpoint updateRoute() throws Exception {
        TemplatedRouteBuilder.builder(context, "command").routeId("customer.update")
                .parameter("method", "PUT").parameter("path", "/api/customers/{id}")
                .parameter("schema", "customer-update.json").parameter("aggregate", "customer")
                .parameter("event", "customer.updated").parameter("topic", "customers")
                .parameter("resource", "/api/customers")
                .parameter("sql", "UPDATE customers SET email = coalesce(:#email, email) WHERE customer_id = :#id")
                .add();
        AdviceWith.adviceWith(context, "customer.update", route -> {
            route.replaceFromWith("direct:update");
            route.mockEndpoints("sql:*"); // recorded, then run on PostgreSQL
        });
        context.start();
        return getMockEndpoint("mock:sql:UPDATE customers SET email = coalesce(:#email, email) WHERE customer_id = :#id");
    }

    @Test
    void aValidRequestReachesItsSqlWithTheCommandsParametersOnly() throws Exception {
        MockEndpoint sql = updateRoute();
        sql.expectedMessageCount(1);

        Exchange answer = template.request("direct:update", exchange -> {
            exchange.getIn().setHeader(Exchange.CONTENT_TYPE, "application/json");
            exchange.getIn().setHeader("id", "c-1");
            exchange.getIn().setHeader("full_name", "from a header, never a parameter");
            exchange.getIn().setHeader("If-Match", "\"3\"");
            exchange.getIn().setBody("{\"email\":\"ada@analytical.engine\"}");
        });

        sql.assertIsSatisfied();
        @SuppressWarnings("unchecked")
        Map<String, Object> parameters = sql.getExchanges().get(0).getIn().getBody(Map.class);
        assertThat(parameters.get("email")).isEqualTo("ada@analytical.engine");
        assertThat(parameters.get("full_name")).as("a name the command does not supply is NULL").isNull();
        assertThat(sql.getExchanges().get(0).getIn().getHeaders()).doesNotContainKey("full_name");
        Command command = sql.getExchanges().get(0).getProperty(Command.PROPERTY, Command.class);
        assertThat(command.aggregateId()).isEqualTo("c-1");
        assertThat(command.expectedVersion()).isEqualTo(3);
        assertThat(command.declaration().eventType()).isEqualTo("customer.updated");
        assertThat(answer.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE)).isEqualTo(201);
        assertThat(answer.getMessage().getHeader("Location")).isEqualTo("/api/customers/c-1");
        assertThat(answer.getMessage().getHeader("ETag")).isEqualTo("\"4\"");
        assertThat(email("c-1")).as("the UPDATE ran on PostgreSQL").isEqualTo("ada@analytical.engine");
    }

    @Test
    void aBodyOutsideTheSchemaIsA400ProblemAndNeverReachesTheSql() throws Exception {
        MockEndpoint sql = updateRoute();
        sql.expectedMessageCount(0);

        Exchange answer = update("application/json", "{\"email\":\"not an address\"}");

        sql.assertIsSatisfied();
        assertThat(answer.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE)).isEqualTo(400);
        JsonNode problem = JSON.readTree(answer.getMessage().getBody(String.class));
        assertThat(problem.get("type").asText()).endsWith("schema-violation");
        assertThat(problem.get("errors").get(0).get("pointer").asText()).isEqualTo("/email");
        assertThat(email("c-1")).as("nothing changed").isEqualTo("ada@old.example");
    }

    @Test
    void aBodyThatIsNotJsonIsA415Problem() throws Exception {
        MockEndpoint sql = updateRoute();
        sql.expectedMessageCount(0);

        Exchange answer = update("text/plain", "email=ada");

        sql.assertIsSatisfied();
        assertThat(answer.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE)).isEqualTo(415);
    }

    @Test
    void aMisspeltCommandOptionStopsTheRouteNamingIt() {
        assertThatThrownBy(() -> {
            context.addRoutes(new org.apache.camel.builder.RouteBuilder() {
                @Override
                public void configure() {
                    from("direct:typo").routeId("typo")
                            .to("herald:command?aggregate=customer&event=customer.created&topic=customers"
                                    + "&resource=/api/customers&eventVersoin=2");
                }
            });
            context.start();
        }).hasMessageContaining("eventVersoin");
    }

    private String email(String customer) throws SQLException {
        try (Connection connection = database.getConnection(); PreparedStatement select = connection.prepareStatement(
                "SELECT email FROM customers WHERE customer_id = ?")) {
            select.setString(1, customer);
            try (ResultSet row = select.executeQuery()) {
                return row.next() ? row.getString(1) : null;
            }
        }
    }

    private Exchange update(String contentType, String body) {
        return template.request("direct:update", exchange -> {
            exchange.getIn().setHeader(Exchange.CONTENT_TYPE, contentType);
            exchange.getIn().setHeader("id", "c-1");
            exchange.getIn().setBody(body);
        });
    }

    @Test
    void aMissingSchemaFileStopsTheRouteNamingIt() {
        assertThatThrownBy(() -> {
            TemplatedRouteBuilder.builder(context, "command").routeId("customer.typo")
                    .parameter("method", "POST").parameter("path", "/api/typo")
                    .parameter("schema", "customer-crate.json").parameter("aggregate", "customer")
                    .parameter("event", "customer.created").parameter("topic", "customers")
                    .parameter("resource", "/api/customers").parameter("sql", "SELECT 1").add();
            context.start();
        }).hasStackTraceContaining("customer-crate.json");
    }

    @Test
    void aSqlParameterNothingSuppliesStopsTheStartNamingRouteAndParameter() throws Exception {
        TemplatedRouteBuilder.builder(context, "command").routeId("customer.rename")
                .parameter("method", "PUT").parameter("path", "/api/customers/{id}/name")
                .parameter("schema", "customer-update.json").parameter("aggregate", "customer")
                .parameter("event", "customer.renamed").parameter("topic", "customers")
                .parameter("resource", "/api/customers")
                .parameter("sql", "UPDATE customers SET full_name = :#fullname WHERE customer_id = :#id").add();
        assertThatThrownBy(() -> SqlParameterCheck.check(context))
                .hasMessageContaining("customer.rename").hasMessageContaining(":#fullname")
                .hasMessageContaining("customer-update.json");
    }

    @Test
    void theShippedCommandsSupplyEveryParameterTheirSqlNames() throws Exception {
        PluginHelper.getRoutesLoader(context).loadRoutes(
                ResourceHelper.resolveResource(context, "file:routes/customers.camel.yaml"),
                ResourceHelper.resolveResource(context, "file:routes/orders.camel.yaml"));
        SqlParameterCheck.check(context);
    }

    /** The lane's stand-in: runs the steps now, on the request, and answers a fixed outcome. */
    private static final class RunAtOnce implements Policy {

        @Override
        public void beforeWrap(Route route, NamedNode definition) {
        }

        @Override
        public Processor wrap(Route route, Processor steps) {
            return exchange -> {
                Command command = exchange.getProperty(Command.PROPERTY, Command.class);
                int version = command.expectedVersion() == null ? 1 : command.expectedVersion() + 1;
                // the steps' parameters as the store hands them over (EventStore.apply): the command's, its id and version
                SqlParameters parameters = new SqlParameters(command.parameters());
                parameters.put("id", command.aggregateId());
                parameters.put("version", version);
                exchange.getIn().setBody(parameters);
                steps.process(exchange);
                exchange.setProperty(CommandResult.PROPERTY, new CommandResult(Publication.PUBLISHED, command.location(),
                        command.commandId(), "customer", command.aggregateId(), version, UUID.randomUUID(),
                        command.declaration().eventType(), "customers", Publication.PUBLISHED, false));
            };
        }
    }
}
