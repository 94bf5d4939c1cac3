package dev.herald.contract;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import net.thisptr.jackson.jq.BuiltinFunctionLoader;
import net.thisptr.jackson.jq.JsonQuery;
import net.thisptr.jackson.jq.Scope;
import net.thisptr.jackson.jq.Versions;
import net.thisptr.jackson.jq.exception.JsonQueryException;

/**
 * One version step of a type's {@code data}: {@code <type>/<n>-to-<n+1>.jq}, a jq program that turns the data of
 * version n into version n+1 ({@code .name = .full_name | del(.full_name)} renames, {@code .country //= "NL"}
 * defaults, {@code del(.fax)} drops). jq because Herald's routes already speak it (camel-jq, whose jackson-jq runs
 * it here too): one language for shaping events, and a step that is more than rename/default/drop still fits.
 * The program must give exactly one object.
 */
public final class Upcaster {

    private static final Scope ROOT = Scope.newEmptyScope();

    static {
        BuiltinFunctionLoader.getInstance().loadFunctions(Versions.JQ_1_6, ROOT);
    }

    private final Path file;
    private final int from;
    private final JsonQuery program;
    private final String source;

    private Upcaster(Path file, int from, JsonQuery program, String source) {
        this.file = file;
        this.from = from;
        this.program = program;
        this.source = source;
    }

    /** The program in {@code file}, compiled; a file that is not jq refuses the start, naming it. */
    public static Upcaster read(Path file, int from) {
        String source;
        try {
            source = Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException("upcaster " + file + " cannot be read", e);
        }
        return compile(file, from, source);
    }

    static Upcaster compile(Path file, int from, String source) {
        try {
            return new Upcaster(file, from, JsonQuery.compile(source, Versions.JQ_1_6), source);
        } catch (JsonQueryException | RuntimeException e) {
            throw new IllegalArgumentException("upcaster " + file + " is not a jq program: " + e.getMessage(), e);
        }
    }

    public Path file() {
        return file;
    }

    /** The program as written (part of {@link EventSchemas#fingerprint()}). */
    public String source() {
        return source;
    }

    /** The version whose data it reads; it writes {@code from() + 1}. */
    public int from() {
        return from;
    }

    /** The data of version {@code from() + 1}; a program that fails or gives other than one object throws, naming the file. */
    public JsonNode apply(JsonNode data) {
        List<JsonNode> out = new ArrayList<>();
        try {
            program.apply(Scope.newChildScope(ROOT), data, out::add);
        } catch (JsonQueryException e) {
            throw new IllegalStateException("upcaster " + file + " failed: " + e.getMessage(), e);
        }
        if (out.size() != 1 || !out.get(0).isObject()) {
            throw new IllegalStateException("upcaster " + file + " gave " + out.size() + " value(s) "
                    + out + ", not one object");
        }
        return out.get(0);
    }
}
