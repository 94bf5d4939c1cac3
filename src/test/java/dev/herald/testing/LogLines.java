package dev.herald.testing;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.herald.trace.Traces;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * The lines a logger writes while this is open (logback's ListAppender, detached by close), with their MDC: what an
 * operator's log collector would get, e.g. the trace id of the event a stage handled.
 */
public final class LogLines implements AutoCloseable {

    private final Logger logger;
    private final ListAppender<ILoggingEvent> lines = new ListAppender<>();

    public LogLines(Class<?> of) {
        this(of.getName());
    }

    /** The lines of a logger and those below it, e.g. {@code org.apache.camel} (the error handlers' lines). */
    public LogLines(String name) {
        logger = (Logger) LoggerFactory.getLogger(name);
        lines.start();
        logger.addAppender(lines);
    }

    /** The lines so far whose message contains {@code text}. */
    public List<ILoggingEvent> containing(String text) {
        return List.copyOf(lines.list).stream().filter(line -> line.getFormattedMessage().contains(text)).toList();
    }

    /** The trace id a line carries (MDC {@link Traces#MDC_KEY}), or null. */
    public static String traceId(ILoggingEvent line) {
        return line.getMDCPropertyMap().get(Traces.MDC_KEY);
    }

    /** The trace ids a line about several events carries (MDC {@link Traces#MDC_KEYS}), none when it has none. */
    public static List<String> traceIds(ILoggingEvent line) {
        String ids = line.getMDCPropertyMap().get(Traces.MDC_KEYS);
        return ids == null ? List.of() : List.of(ids.split(" "));
    }

    @Override
    public void close() {
        logger.detachAppender(lines);
    }
}
