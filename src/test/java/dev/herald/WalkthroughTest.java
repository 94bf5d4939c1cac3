package dev.herald;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.testing.SharedHub;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * README.md's "Run it" walkthrough runs as written: docs/walkthrough.sh against a started hub, and the README
 * holds that script's lines, so docs that drift from the hub (or from the script) fail the build.
 */
class WalkthroughTest {

    private static final Path SCRIPT = Path.of("docs/walkthrough.sh");
    private static final Path README = Path.of("README.md");

    @Test
    void theWalkthroughAnswersAsTheReadmeSays() throws Exception {
        String hub = SharedHub.get().http.base();
        Path log = Files.createTempFile("walkthrough", ".log");
        Process script = new ProcessBuilder("bash", SCRIPT.toString(), hub)
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        boolean ended = script.waitFor(3, TimeUnit.MINUTES);
        if (!ended) {
            script.destroyForcibly().waitFor();
        }
        String output = Files.readString(log, StandardCharsets.UTF_8);
        Files.delete(log);
        assertThat(ended).as("walkthrough.sh still running after 3 minutes:%n%s", output).isTrue();
        assertThat(script.exitValue()).as("walkthrough.sh against %s:%n%s", hub, output).isZero();
        assertThat(output).contains("Idempotent-Replayed: true", "herald_commands_total");
    }

    /** Each command line of the script, in the script's order, is a line of the README (its code blocks de-indented). */
    @Test
    void theReadmeHoldsTheWalkthroughVerbatim() throws IOException {
        List<String> commands = walkthroughCommands();
        assertThat(commands).as("lines between the markers of " + SCRIPT).hasSizeGreaterThan(10);
        List<String> readme = Files.readAllLines(README).stream()
                .map(line -> line.startsWith("    ") ? line.substring(4) : line).toList();
        int after = 0;
        for (String command : commands) {
            int at = readme.subList(after, readme.size()).indexOf(command);
            assertThat(at).as("README.md lacks, after its line %d, this line of %s:%n%s", after, SCRIPT, command)
                    .isNotNegative();
            after += at + 1;
        }
    }

    private static List<String> walkthroughCommands() throws IOException {
        List<String> lines = Files.readAllLines(SCRIPT);
        int start = lines.indexOf("# --- walkthrough ---");
        int end = lines.indexOf("# --- end ---");
        assertThat(start).as("walkthrough markers in " + SCRIPT).isNotNegative().isLessThan(end);
        return lines.subList(start + 1, end).stream()
                .filter(line -> !line.isBlank() && !line.strip().startsWith("#")).toList();
    }
}
