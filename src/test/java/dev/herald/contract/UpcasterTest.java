package dev.herald.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The mapping rules of upcasters (rename, default, drop) and the start's checks of their files. */
class UpcasterTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String V1 = """
            {"type": "object", "additionalProperties": false, "required": ["id", "full_name"],
             "properties": {"id": {"type": "string"}, "full_name": {"type": "string"}, "fax": {"type": "string"}},
             "examples": [{"id": "a", "full_name": "Ada", "fax": "0"}]}""";
    private static final String V2 = """
            {"type": "object", "additionalProperties": false, "required": ["id", "name", "country"],
             "properties": {"id": {"type": "string"}, "name": {"type": "string"}, "country": {"type": "string"}}}""";
    private static final String RENAME_DEFAULT_DROP = """
            # full_name is called name now; country is new (NL when unknown); fax is gone
            .name = .full_name | del(.full_name) | .country //= "NL" | del(.fax)
            """;

    @Test
    void renameDefaultAndDropInOneStep() throws Exception {
        Upcaster upcaster = Upcaster.compile(Path.of("1-to-2.jq"), 1, RENAME_DEFAULT_DROP);
        assertThat(upcaster.apply(json("{\"id\": \"a\", \"full_name\": \"Ada\", \"fax\": \"0\"}")))
                .isEqualTo(json("{\"id\": \"a\", \"name\": \"Ada\", \"country\": \"NL\"}"));
        assertThat(upcaster.apply(json("{\"id\": \"b\", \"full_name\": \"Bo\", \"country\": \"BE\"}")))
                .isEqualTo(json("{\"id\": \"b\", \"name\": \"Bo\", \"country\": \"BE\"}"));
    }

    @Test
    void aProgramThatGivesOtherThanOneObjectFailsNamingItsFile() throws Exception {
        JsonNode data = json("{\"id\": \"a\"}");
        assertThatThrownBy(() -> Upcaster.compile(Path.of("x/1-to-2.jq"), 1, ".id").apply(data))
                .hasMessageContaining("x/1-to-2.jq").hasMessageContaining("not one object");
        assertThatThrownBy(() -> Upcaster.compile(Path.of("x/1-to-2.jq"), 1, ".[], .").apply(data))
                .hasMessageContaining("x/1-to-2.jq");
        assertThatThrownBy(() -> Upcaster.compile(Path.of("x/1-to-2.jq"), 1, ".id |= (. + 1)").apply(data))
                .hasMessageContaining("upcaster x/1-to-2.jq failed");
    }

    @Test
    void readersGetTheNewestShapeThroughEveryStep(@TempDir Path dir) throws Exception {
        Path type = type(dir, "none");
        Files.writeString(type.resolve("1-to-2.jq"), RENAME_DEFAULT_DROP);
        Files.writeString(type.resolve("3.json"), V2.replace("\"country\": {", "\"tags\": {\"type\": \"array\"}, "
                + "\"country\": {"));
        Files.writeString(type.resolve("2-to-3.jq"), ".tags //= []");
        EventSchemas schemas = EventSchemas.load(dir);
        JsonNode newest = json("{\"id\": \"a\", \"name\": \"Ada\", \"country\": \"NL\", \"tags\": []}");
        assertThat(schemas.upcast("person.made", 1, json("{\"id\": \"a\", \"full_name\": \"Ada\"}"))).isEqualTo(newest);
        assertThat(schemas.upcast("person.made", 3, newest)).isEqualTo(newest);
        schemas.check("person.made", 3, schemas.upcast("person.made", 2,
                json("{\"id\": \"a\", \"name\": \"Ada\", \"country\": \"BE\"}")));
        JsonNode unknown = json("{\"x\": 1}");
        assertThat(schemas.upcast("other.type", 1, unknown)).isSameAs(unknown);
    }

    @Test
    void aBackwardStepNeedsNoUpcasterAndKeepsTheData(@TempDir Path dir) throws Exception {
        Path type = Files.createDirectories(dir.resolve("thing.made"));
        Files.writeString(type.resolve("1.json"), "{\"type\": \"object\", \"properties\": {\"id\": {}}}");
        Files.writeString(type.resolve("2.json"), "{\"type\": \"object\", \"properties\": {\"id\": {}, \"n\": {}}}");
        JsonNode data = json("{\"id\": \"a\"}");
        assertThat(EventSchemas.load(dir).upcast("thing.made", 1, data)).isEqualTo(data);
    }

    @Test
    void aStepThatNeedsAnUpcasterWithoutOneRefusesTheStartNamingTheFileToWrite(@TempDir Path dir) throws Exception {
        Path type = type(dir, "none");
        assertThatThrownBy(() -> EventSchemas.load(dir)).hasMessageContaining("event type person.made is none")
                .hasMessageContaining(type.resolve("1-to-2.jq").toString());
    }

    @Test
    void aBrokenUpcasterRefusesTheStartNamingItsFile(@TempDir Path dir) throws Exception {
        Path type = type(dir, "none");
        Files.writeString(type.resolve("1-to-2.jq"), ".name = .full_name |");
        assertThatThrownBy(() -> EventSchemas.load(dir))
                .hasMessageContaining("upcaster " + type.resolve("1-to-2.jq") + " is not a jq program");
    }

    @Test
    void anUpcasterForAVersionThatDoesNotExistRefusesTheStartNamingItsFile(@TempDir Path dir) throws Exception {
        Path type = type(dir, "none");
        Files.writeString(type.resolve("1-to-2.jq"), RENAME_DEFAULT_DROP);
        Files.writeString(type.resolve("2-to-3.jq"), ".");
        assertThatThrownBy(() -> EventSchemas.load(dir))
                .hasMessageContaining("upcaster " + type.resolve("2-to-3.jq") + " is not a step between versions");
        Files.delete(type.resolve("2-to-3.jq"));
        Files.writeString(type.resolve("1-to-3.jq"), ".");
        assertThatThrownBy(() -> EventSchemas.load(dir))
                .hasMessageContaining("upcaster " + type.resolve("1-to-3.jq") + " is not a step between versions");
    }

    @Test
    void anOlderExampleThatUpcastsIntoABrokenNewestVersionRefusesTheStart(@TempDir Path dir) throws Exception {
        Path type = type(dir, "none");
        Files.writeString(type.resolve("1-to-2.jq"), ".name = .full_name | del(.full_name)");   // fax stays, no country
        assertThatThrownBy(() -> EventSchemas.load(dir)).hasMessageContaining("event type person.made: example")
                .hasMessageContaining("breaks version 2");
    }

    /** What invalidates the snapshots of ?as_of= reads (V14): an edited upcaster or a new version, not a reload. */
    @Test
    void theFingerprintChangesWithWhatUpcastingGives(@TempDir Path dir) throws Exception {
        Path type = type(dir, "none");
        Files.writeString(type.resolve("1-to-2.jq"), RENAME_DEFAULT_DROP);
        String first = EventSchemas.load(dir).fingerprint();
        assertThat(EventSchemas.load(dir).fingerprint()).as("the same files").isEqualTo(first).hasSize(16);

        Files.writeString(type.resolve("1-to-2.jq"), RENAME_DEFAULT_DROP.replace("\"NL\"", "\"BE\""));
        String edited = EventSchemas.load(dir).fingerprint();
        assertThat(edited).as("an edited upcaster").isNotEqualTo(first);

        Files.writeString(type.resolve("3.json"), V2);
        Files.writeString(type.resolve("2-to-3.jq"), ".");
        assertThat(EventSchemas.load(dir).fingerprint()).as("a new version").isNotIn(first, edited);
    }

    private static Path type(Path dir, String compatibility) throws Exception {
        Path type = Files.createDirectories(dir.resolve("person.made"));
        Files.writeString(type.resolve("1.json"), V1);
        Files.writeString(type.resolve("2.json"), V2);
        Files.writeString(type.resolve(EventSchemas.COMPATIBILITY_FILE), compatibility + "\n");
        return type;
    }

    private static JsonNode json(String text) throws Exception {
        return JSON.readTree(text);
    }
}
