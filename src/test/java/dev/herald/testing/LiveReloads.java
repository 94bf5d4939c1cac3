package dev.herald.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import org.apache.camel.support.FileWatcherResourceReloadStrategy;

/** What the tests of herald.dev.reload do to a hub's files: save one as an editor does, see it refused. */
public final class LiveReloads {

    public static final Duration RELOADED = Duration.ofSeconds(30);

    private LiveReloads() {
    }

    /** The hub's file watcher on this directory. */
    public static FileWatcherResourceReloadStrategy watcherOf(TestHub hub, Path dir) {
        return hub.camel().hasServices(FileWatcherResourceReloadStrategy.class).stream()
                .filter(watcher -> Path.of(watcher.getFolder()).toAbsolutePath().normalize()
                        .equals(dir.toAbsolutePath().normalize())).findFirst().orElseThrow();
    }

    /**
     * As an editor saves: the whole file appears at once (a rename of a draft beside it, which no watcher's filter
     * takes), so the watcher never sees half of it.
     */
    public static void save(Path file, String text) throws IOException {
        Path draft = Files.writeString(file.resolveSibling(file.getFileName() + ".draft"), text);
        Files.move(draft, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Saves the file and waits for the watcher to count a refusal; its last error names what is asked. */
    public static void refused(FileWatcherResourceReloadStrategy watcher, Path file, String text, String... named)
            throws IOException {
        int failed = watcher.getFailedCounter();
        save(file, text);
        await().atMost(RELOADED).until(() -> watcher.getFailedCounter() > failed);
        assertThat(watcher.getLastError()).hasMessageContainingAll(named);
    }
}
