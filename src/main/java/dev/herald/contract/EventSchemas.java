package dev.herald.contract;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.InputFormat;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.PathType;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion.VersionFlag;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The event schema registry: {@code <dir>/<type>/<version>.json}, the JSON Schema of a type's {@code data} per
 * version, and {@code <dir>/<type>/compatibility}, how its versions may evolve (backward when absent). Read once at
 * start: every file must be a valid JSON Schema (draft 2020-12 unless it says otherwise) and each version must be
 * compatible with the one before under the type's mode, else the start is refused naming type, versions, place and
 * rule. Each version's validator is compiled here, once.
 * <p>
 * Upcasting ({@link Upcaster}): {@code <dir>/<type>/<n>-to-<m>.jq}, m the version after n, turns data of version n
 * into m, so readers of history ({@link #upcast}) see every event in the newest shape. Under {@code backward} or
 * {@code full} a step without one keeps the data as it is (the check above proved the newer version reads it);
 * under {@code forward} or {@code none} every step needs one. An upcaster that is not jq, or whose versions are
 * not a step of the type, refuses the start naming the file; so does an {@code examples} entry of an older
 * version's schema that, upcast, breaks the newest version.
 */
public final class EventSchemas {

    public static final String COMPATIBILITY_FILE = "compatibility";
    private static final Pattern VERSION_FILE = Pattern.compile("([1-9][0-9]{0,8})\\.json");
    private static final Pattern UPCASTER_FILE = Pattern.compile("([1-9][0-9]{0,8})-to-([1-9][0-9]{0,8})\\.jq");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonSchemaFactory FACTORY = JsonSchemaFactory.getInstance(VersionFlag.V202012);
    private static final SchemaValidatorsConfig CONFIG = SchemaValidatorsConfig.builder()
            .pathType(PathType.JSON_POINTER).formatAssertionsEnabled(true).failFast(false).build();

    /** One type: its mode and its versions in order. */
    public record EventType(String name, Compatibility compatibility, NavigableMap<Integer, Version> versions,
            Map<Integer, Upcaster> upcasters) {

        public int newest() {
            return versions.lastKey();
        }

        /** Data of {@code version} in the newest version's shape, through each step's upcaster (if any). */
        public JsonNode upcast(int version, JsonNode data) {
            JsonNode shaped = data;
            for (int step : versions.subMap(version, true, newest(), false).keySet()) {
                Upcaster upcaster = upcasters.get(step);
                shaped = upcaster == null ? shaped : upcaster.apply(shaped);
            }
            return shaped;
        }
    }

    /** One version of a type's data schema: the document as written and its compiled validator. */
    public record Version(int number, JsonNode document, JsonSchema validator) {
    }

    private final Path dir;
    private final Map<String, EventType> types;
    private final String fingerprint;

    private EventSchemas(Path dir, Map<String, EventType> types) {
        this.dir = dir;
        this.types = Collections.unmodifiableMap(types);
        this.fingerprint = fingerprintOf(this.types);
    }

    /** An empty registry when {@code dir} does not exist (no command may then declare an event). */
    public static EventSchemas load(Path dir) {
        Map<String, EventType> types = new TreeMap<>();
        if (Files.isDirectory(dir)) {
            for (Path typeDir : list(dir).stream().filter(Files::isDirectory).toList()) {
                EventType type = readType(typeDir);
                checkEvolution(type, typeDir);
                checkUpcasting(type, typeDir);
                types.put(type.name(), type);
            }
        }
        return new EventSchemas(dir, types);
    }

    public Map<String, EventType> types() {
        return types;
    }

    /**
     * What {@link #upcast} makes of stored events, in 16 hex digits: a digest of every type's name, versions and
     * upcaster programs. Equal fingerprints, equal upcasts; a new version or an edited upcaster changes it. A state
     * folded from upcast events is kept under it (state_snapshots.fold_key, V14), so a snapshot taken before such a
     * change is not read after it.
     */
    public String fingerprint() {
        return fingerprint;
    }

    private static String fingerprintOf(Map<String, EventType> types) {
        StringBuilder text = new StringBuilder();
        for (EventType type : types.values()) {   // a TreeMap: in name order
            text.append(type.name()).append(' ').append(type.versions().keySet()).append('\n');
            new TreeMap<>(type.upcasters()).forEach((from, upcaster) ->
                    text.append(from).append(':').append(upcaster.source()).append('\n'));
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest(text.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public Optional<Version> version(String type, int version) {
        EventType known = types.get(type);
        return Optional.ofNullable(known == null ? null : known.versions().get(version));
    }

    /**
     * A stored event's data in the newest shape of its type: what time travel, projections and other readers of
     * history see. A type or version the registry does not know is given back as stored.
     */
    public JsonNode upcast(String type, int version, JsonNode data) {
        EventType known = types.get(type);
        return known == null || !known.versions().containsKey(version) ? data : known.upcast(version, data);
    }

    /** Where the schema of a type's version is (or would be). */
    public Path fileOf(String type, int version) {
        return dir.resolve(type).resolve(version + ".json");
    }

    /** Throws {@link EventContractViolation} naming every failing field when {@code data} breaks the version. */
    public void check(String type, int version, JsonNode data) {
        Version schema = version(type, version).orElseThrow(() -> new IllegalStateException("no schema for event "
                + type + " v" + version + " (" + fileOf(type, version) + ")"));
        Set<ValidationMessage> messages = schema.validator().validate(data);
        if (!messages.isEmpty()) {
            List<EventContractViolation.Error> errors = new ArrayList<>();
            for (ValidationMessage message : messages) {
                errors.add(new EventContractViolation.Error(message.getInstanceLocation().toString(),
                        message.getType(), message.getMessage()));
            }
            throw new EventContractViolation(type, version, errors);
        }
    }

    private static EventType readType(Path typeDir) {
        String name = typeDir.getFileName().toString();
        Compatibility mode = Compatibility.BACKWARD;
        NavigableMap<Integer, Version> versions = new TreeMap<>();
        Map<Integer, Upcaster> upcasters = new TreeMap<>();
        Map<Integer, Integer> upcastTo = new TreeMap<>();
        for (Path file : list(typeDir)) {
            String fileName = file.getFileName().toString();
            Matcher version = VERSION_FILE.matcher(fileName);
            Matcher upcaster = UPCASTER_FILE.matcher(fileName);
            if (upcaster.matches()) {
                int from = Integer.parseInt(upcaster.group(1));
                upcasters.put(from, Upcaster.read(file, from));
                upcastTo.put(from, Integer.parseInt(upcaster.group(2)));
            } else if (fileName.equals(COMPATIBILITY_FILE)) {
                mode = readMode(file);
            } else if (version.matches()) {
                int number = Integer.parseInt(version.group(1));
                versions.put(number, compile(file, number));
            } else {
                throw new IllegalArgumentException("event schema directory " + typeDir + " holds " + fileName
                        + ": only <version>.json (1.json, 2.json...), <n>-to-<n+1>.jq upcasters and "
                        + COMPATIBILITY_FILE + " belong there");
            }
        }
        if (versions.isEmpty()) {
            throw new IllegalArgumentException("event type " + name + " has no schema: add "
                    + typeDir.resolve("1.json"));
        }
        for (Map.Entry<Integer, Integer> step : upcastTo.entrySet()) {
            Integer next = versions.higherKey(step.getKey());
            if (!versions.containsKey(step.getKey()) || !step.getValue().equals(next)) {
                throw new IllegalArgumentException("upcaster " + upcasters.get(step.getKey()).file() + " is not a "
                        + "step between versions of " + name + " (versions: " + versions.keySet() + "; name it <n>-to-"
                        + "<the version after n>.jq)");
            }
        }
        return new EventType(name, mode, Collections.unmodifiableNavigableMap(versions),
                Collections.unmodifiableMap(upcasters));
    }

    /** Every step that needs an upcaster has one, and older versions' examples, upcast, fit the newest version. */
    private static void checkUpcasting(EventType type, Path typeDir) {
        boolean newerReadsOlder = type.compatibility() == Compatibility.BACKWARD
                || type.compatibility() == Compatibility.FULL;
        for (int step : type.versions().headMap(type.newest()).keySet()) {
            int next = type.versions().higherKey(step);
            if (!newerReadsOlder && !type.upcasters().containsKey(step)) {
                throw new IllegalArgumentException("event type " + type.name() + " is " + type.compatibility().label()
                        + " compatible, so version " + next + " does not read version " + step + "'s data: add "
                        + typeDir.resolve(step + "-to-" + next + ".jq"));
            }
            for (JsonNode example : type.versions().get(step).document().path("examples")) {
                JsonNode upcast;
                try {
                    upcast = type.upcast(step, example);
                } catch (IllegalStateException e) {
                    throw new IllegalArgumentException("event type " + type.name() + ": an example of version "
                            + step + " cannot be upcast: " + e.getMessage(), e);
                }
                Set<ValidationMessage> broken = type.versions().get(type.newest()).validator().validate(upcast);
                if (!broken.isEmpty()) {
                    throw new IllegalArgumentException("event type " + type.name() + ": example " + example
                            + " of version " + step + " upcast to " + upcast + " breaks version " + type.newest()
                            + " (" + typeDir + "): " + broken.stream().map(ValidationMessage::getMessage).sorted()
                                    .toList());
                }
            }
        }
    }

    private static Compatibility readMode(Path file) {
        try {
            String mode = Files.readAllLines(file).stream().map(String::strip)
                    .filter(line -> !line.isEmpty() && !line.startsWith("#")).findFirst().orElse("backward");
            return Compatibility.parse(mode);
        } catch (IOException e) {
            throw new UncheckedIOException(file + " cannot be read", e);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    /** The document, checked against its meta-schema, and its validator. */
    private static Version compile(Path file, int number) {
        JsonNode document;
        try {
            document = JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new IllegalArgumentException("event schema " + file + " is not JSON: " + e.getMessage(), e);
        }
        if (!document.isObject() && !document.isBoolean()) {
            throw new IllegalArgumentException("event schema " + file + " is not a JSON Schema (an object)");
        }
        Set<ValidationMessage> invalid = metaSchemaOf(document).validate(document.toString(), InputFormat.JSON);
        if (!invalid.isEmpty()) {
            throw new IllegalArgumentException("event schema " + file + " is not a valid JSON Schema: "
                    + invalid.stream().map(m -> m.getInstanceLocation() + " " + m.getMessage()).sorted().toList());
        }
        return new Version(number, document, FACTORY.getSchema(file.toUri(), document, CONFIG));
    }

    private static JsonSchema metaSchemaOf(JsonNode document) {
        String declared = document.path("$schema").asText("https://json-schema.org/draft/2020-12/schema");
        return FACTORY.getSchema(SchemaLocation.of(declared), CONFIG);
    }

    private static void checkEvolution(EventType type, Path typeDir) {
        Version previous = null;
        for (Version version : type.versions().values()) {
            if (previous != null) {
                List<Incompatibility> found = type.compatibility().check(previous.document(), previous.number(),
                        version.document(), version.number());
                if (!found.isEmpty()) {
                    throw new IllegalArgumentException("event type " + type.name() + ": version " + version.number()
                            + " is not " + type.compatibility().label() + " compatible with version "
                            + previous.number() + " (" + typeDir + "): " + String.join("; ",
                                    found.stream().map(Incompatibility::toString).toList()));
                }
            }
            previous = version;
        }
    }

    private static List<Path> list(Path dir) {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(dir + " cannot be read", e);
        }
    }
}
