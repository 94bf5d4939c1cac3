package dev.herald.intake;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import java.nio.file.Path;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code "format": "email"} as the routes check it (the customer-update schema through the routes' loader):
 * any syntactically valid address passes, whatever its domain; garbage does not.
 */
class EmailFormatTest {

    private static DefaultCamelContext camel;
    private static JsonSchema schema;

    @BeforeAll
    static void load() throws Exception {
        camel = new DefaultCamelContext();
        schema = new StrictSchemaLoader().createSchema(camel,
                Path.of("schemas/customer-update.json").toAbsolutePath().toUri().toString());
    }

    @AfterAll
    static void stop() throws Exception {
        camel.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "ada@example.com",
        "ada@analytical.engine",          // a TLD no list knows
        "ada@engine.example",
        "ada@analytical.engineering",
        "ada@x.dev",
        "ada@localhost",                  // one label is a valid RFC 5321 domain
        "first.last+tag@sub.domain.co.uk",
        "o'brien@example.org",
        "\"ada lovelace\"@example.com",   // quoted local part
        "user@[192.0.2.1]",               // address literals
        "user@[IPv6:2001:db8::1]",
        "a-b@a-b.c-d",
        "ada@bücher.example",             // internationalized domain
        "x@123.example",
    })
    void accepts(String email) {
        assertThat(schema.validate(body(email))).as(email).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "",
        "not-an-email",                   // no @
        "@example.com",                   // empty local part
        "ada@",                           // empty domain
        "ada@@example.com",
        "ada@b@example.com",              // two @
        "a b@example.com",                // spaces
        "ada@exa mple.com",
        " ada@example.com",
        "ada@example..com",               // empty label
        "ada@.example.com",               // leading dot
        "ada@example.com.",               // trailing dot
        ".ada@example.com",
        "ada.@example.com",
        "ad..a@example.com",
        "ada@-example.com",               // label starting or ending with a hyphen
        "ada@example-.com",
        "ada@exa_mple.com",
        "ada@[300.1.1.1]",
        "ada@example.com\u0000",        // control characters
        "ada@a234567890123456789012345678901234567890123456789012345678901234.com", // a 64-character label
    })
    void refuses(String email) {
        assertThat(schema.validate(body(email))).as(email).isNotEmpty();
    }

    private static ObjectNode body(String email) {
        return JsonNodeFactory.instance.objectNode().put("email", email);
    }
}
