package org.annexhost.testing;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * What the host's own code logged at WARN or above while an action ran (or a logger at any level),
 * as {@code LEVEL logger: message} lines: for tests that hold log lines to what happened. Lines logged on any thread
 * count, so the action's server threads are seen too; tests using it must not run in parallel
 * with other logging tests.
 */
public final class Warnings {
    private Warnings() {
    }

    /** An action that may throw. */
    public interface Action {
        void run() throws Exception;
    }

    /** Runs the action and returns the lines; the action's failure is thrown after the appender is gone. */
    public static List<String> during(Action action) throws Exception {
        return logged("org.annexhost", Level.WARN, action);
    }

    /**
     * Runs the action and returns what the logger (and those below it) logged at the level or
     * above, as {@code LEVEL logger: message k=v k=v} lines, the logger's level lowered for the
     * while if need be; the action's failure is thrown after the appender is gone.
     */
    public static List<String> logged(String logger, Level atLeast, Action action) throws Exception {
        return logged(logger, atLeast, lines -> true, action);
    }

    /**
     * As {@link #logged(String, Level, Action)}, then waits (up to 10 s) until the lines are
     * complete: for lines logged once an answer has gone, which its client may see first.
     */
    public static List<String> logged(String logger, Level atLeast, java.util.function.Predicate<List<String>> complete,
                                      Action action) throws Exception {
        List<String> lines = new ArrayList<>();
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        Logger host = context.getLogger(logger);
        Level before = host.getLevel();
        if (!host.isEnabledFor(atLeast)) {
            host.setLevel(atLeast);
        }
        AppenderBase<ILoggingEvent> capture = new AppenderBase<>() {
            @Override
            protected void append(ILoggingEvent e) {
                if (e.getLevel().isGreaterOrEqual(atLeast)) {
                    StringBuilder b = new StringBuilder(e.getLevel() + " " + e.getLoggerName() + ": " + e.getFormattedMessage());
                    if (e.getKeyValuePairs() != null) {
                        e.getKeyValuePairs().forEach(kv -> b.append(' ').append(kv.key).append('=').append(kv.value));
                    }
                    synchronized (lines) {
                        lines.add(b.toString());
                    }
                }
            }
        };
        capture.setContext(context);
        capture.start();
        host.addAppender(capture);
        try {
            action.run();
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (System.nanoTime() < deadline) {
                synchronized (lines) {
                    if (complete.test(lines)) {
                        break;
                    }
                }
                Thread.sleep(20);
            }
        } finally {
            host.detachAppender(capture);
            host.setLevel(before);
            capture.stop();
        }
        synchronized (lines) {
            return List.copyOf(lines);
        }
    }
}
