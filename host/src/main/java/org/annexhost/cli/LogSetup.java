package org.annexhost.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ConfiguratorRank;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.AppenderBase;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.encoder.EncoderBase;
import ch.qos.logback.core.spi.ContextAwareBase;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.slf4j.LoggerFactory;

/**
 * The host's logging, set up in code rather than from {@code logback.xml}: reading XML cost every
 * ssh connection a few hundred classes before its first reply. Logs go to stderr (stdout carries
 * the protocol), or to {@code ANNEXHOST_LOG_FILE} when set, at {@code ANNEXHOST_LOG} (default
 * WARN), as text or, with {@code ANNEXHOST_LOG_FORMAT=json} or {@code serve --log-format json}, one
 * JSON object per line (logback's own {@code JsonEncoder}: a line's key-value pairs are its fields);
 * {@code serve} logs what clients do at INFO ({@link #logActivity}). The ssh shell moves the log
 * to the repository's log ({@link #toRepositoryLog}) so that they
 * never reach the client's terminal. PF4J's vague warnings and the AWS SDK's per-request chatter
 * are held back, since the host reports what matters itself, and so are Jetty's and Apache
 * HttpClient's DEBUG lines, which carry request headers (credentials among them) even at
 * {@code ANNEXHOST_LOG=DEBUG}. Plugins and external remotes log
 * through the platform logger ({@code annexhost.remote.NAME}, a remote's stderr at INFO), which
 * reaches the same log.
 * Found by logback through {@code META-INF/services}.
 */
@ConfiguratorRank(ConfiguratorRank.CUSTOM_HIGH_PRIORITY)
public final class LogSetup extends ContextAwareBase implements Configurator {
    /** Where the log goes when {@code ANNEXHOST_LOG_FILE} does not say: under the git directory. */
    public static final String REPOSITORY_LOG = "annex/annexhost.log";
    private static final String APPENDER = "LOG";
    static final String ACTIVITY_APPENDER = "ACTIVITY";
    private static final String ACTIVITY_LOGGER = "org.annexhost.activity";
    /** The log's format: {@code text} (the default) or {@code json} (one object per line, logback's JsonEncoder). */
    public static final String FORMAT_VARIABLE = "ANNEXHOST_LOG_FORMAT";
    private static volatile boolean json = "json".equalsIgnoreCase(System.getenv(FORMAT_VARIABLE));
    /** Where the log goes now: a file, or null for stderr. */
    private static volatile Path target;
    /** Whether the activity lines are written in batches ({@link #logActivity}). */
    private static volatile boolean async;

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        String file = System.getenv("ANNEXHOST_LOG_FILE");
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.toLevel(System.getenv().getOrDefault("ANNEXHOST_LOG", "WARN"), Level.WARN));
        target = file == null || file.isEmpty() ? null : Path.of(file);
        root.addAppender(target == null ? stderr(context) : new FileLog(context, target));
        context.getLogger("org.pf4j").setLevel(Level.ERROR);
        context.getLogger("software.amazon.awssdk").setLevel(Level.INFO);
        // Their DEBUG lines carry requests' headers, Authorization among them: never in our log.
        context.getLogger("org.eclipse.jetty").setLevel(Level.INFO);
        context.getLogger("org.apache.http").setLevel(Level.INFO);
        context.getLogger("org.apache.hc").setLevel(Level.INFO);
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }

    /**
     * Sends the log to {@code GITDIR/annex/annexhost.log} instead of stderr, unless
     * {@code ANNEXHOST_LOG_FILE} already chose a file: the shell's stderr is the ssh client's
     * terminal, where only what git-annex-shell itself would print belongs. The file is opened
     * when the first line is logged, so a conversation that logs nothing writes nothing.
     */
    public static void toRepositoryLog(Path gitDir) {
        String file = System.getenv("ANNEXHOST_LOG_FILE");
        if (file != null && !file.isEmpty()) {
            return;
        }
        if (!Files.isDirectory(gitDir)) {
            return; // not a repository: the shell refuses it, and nothing is made there
        }
        replaceAppender(gitDir.resolve(REPOSITORY_LOG));
    }

    /**
     * Sets the log's format ({@code serve --log-format}): {@code text} or {@code json}.
     *
     * @throws IllegalArgumentException for another
     */
    public static void useFormat(String format) {
        if (!format.equals("text") && !format.equals("json")) {
            throw new IllegalArgumentException("--log-format " + format + ": expected text or json");
        }
        if (json != format.equals("json")) {
            json = format.equals("json");
            replaceAppender(null);
        }
    }

    /**
     * Logs what clients do (a line per request, conversation and content change, see
     * {@code org.annexhost.activity.Activity}) unless {@code ANNEXHOST_LOG} chose a level: a
     * long-running server's log should say what it served.
     */
    public static void logActivity() {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        if (System.getenv("ANNEXHOST_LOG") == null) {
            context.getLogger(ACTIVITY_LOGGER).setLevel(Level.INFO);
        }
        // A line per request must not cost the request a write: the activity lines are gathered
        // and written every half second (and at exit); every other line is written as logged.
        if (!async) {
            async = true;
            replaceAppender(null);
            Runtime.getRuntime().addShutdownHook(new Thread(context::stop, "log-flush"));
        }
    }

    /** Replaces the log's appender: to this file, or (null) to where it goes now, in the format set now. */
    private static void replaceAppender(Path file) {
        // First: logback configures itself (configure, above) when first asked, setting the target.
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        if (file != null) {
            target = file;
        }
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        swap(root, APPENDER, target == null ? stderr(context) : new FileLog(context, target));
        if (async) {
            Logger activity = context.getLogger(ACTIVITY_LOGGER);
            swap(activity, ACTIVITY_APPENDER, new BufferedLog(context, target));
            activity.setAdditive(false);
        }
    }

    /** Gives the logger this appender in place of the one of the same name. */
    private static void swap(Logger logger, String name, Appender<ILoggingEvent> now) {
        Appender<ILoggingEvent> old = logger.getAppender(name);
        logger.addAppender(now);
        if (old != null) {
            logger.detachAppender(old);
            old.stop();
        }
    }

    private static Appender<ILoggingEvent> stderr(LoggerContext context) {
        ConsoleAppender<ILoggingEvent> stderr = new ConsoleAppender<>();
        stderr.setContext(context);
        stderr.setName(APPENDER);
        stderr.setTarget("System.err");
        stderr.setEncoder(encoder(context));
        stderr.start();
        return stderr;
    }

    static Encoder<ILoggingEvent> encoder(LoggerContext context) {
        EncoderBase<ILoggingEvent> encoder;
        if (json) {
            ch.qos.logback.classic.encoder.JsonEncoder j = new ch.qos.logback.classic.encoder.JsonEncoder();
            j.setWithSequenceNumber(false);
            j.setWithNanoseconds(false);
            j.setWithContext(false);
            j.setWithArguments(false);
            j.setWithMessage(false);
            j.setWithFormattedMessage(true);
            encoder = j;
        } else {
            encoder = new LineEncoder();
        }
        encoder.setContext(context);
        encoder.start();
        return encoder;
    }

    /**
     * Appends to a file, opened (with its directory, one level) at the first line. If it cannot be opened,
     * the lines go to stderr after one line saying why: a log is not dropped silently.
     */
    static final class FileLog extends AppenderBase<ILoggingEvent> {
        private final Path file;
        private final Encoder<ILoggingEvent> encoder;
        private OutputStream out;

        FileLog(LoggerContext context, Path file) {
            this.file = file;
            this.encoder = encoder(context);
            setContext(context);
            setName(APPENDER);
            start();
        }

        @Override
        protected void append(ILoggingEvent e) {
            byte[] line = encoder.encode(e);
            try {
                if (out == null) {
                    out = open(file);
                }
                out.write(line);
                out.flush();
            } catch (IOException broken) {
                System.err.write(line, 0, line.length);
            }
        }

        /** @return the file, opened to append (its directory made, one level), or stderr after a line saying why not */
        static OutputStream open(Path file) {
            try {
                if (file.getParent() != null && !Files.isDirectory(file.getParent())) {
                    Files.createDirectory(file.getParent()); // annex/ in a repository git-annex never used
                }
                return Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
            } catch (IOException | RuntimeException e) {
                System.err.println("annexhost: cannot write its log " + file + " (" + e.getMessage() + "); logging to stderr");
                return System.err;
            }
        }

        @Override
        public void stop() {
            super.stop();
            if (out != null && out != System.err) {
                try {
                    out.close();
                } catch (IOException ignored) {
                    // nothing more can be logged about the log
                }
            }
        }
    }


}
