package org.annexhost.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ConfiguratorRank;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.EncoderBase;
import java.nio.charset.StandardCharsets;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import ch.qos.logback.core.spi.ContextAwareBase;

/**
 * The host's logging, set up in code rather than from {@code logback.xml}: reading XML cost every
 * ssh connection a few hundred classes before its first reply. Logs go to stderr (stdout carries
 * the protocol), at {@code ANNEXHOST_LOG} (default WARN); PF4J's vague warnings and the AWS SDK's
 * per-request chatter are held back, since the host reports what matters itself. Found by
 * logback through {@code META-INF/services}.
 */
@ConfiguratorRank(ConfiguratorRank.CUSTOM_HIGH_PRIORITY)
public final class LogSetup extends ContextAwareBase implements Configurator {
    @Override
    public ExecutionStatus configure(LoggerContext context) {
        LineEncoder encoder = new LineEncoder();
        encoder.setContext(context);
        encoder.start();
        ConsoleAppender<ILoggingEvent> stderr = new ConsoleAppender<>();
        stderr.setContext(context);
        stderr.setName("STDERR");
        stderr.setTarget("System.err");
        stderr.setEncoder(encoder);
        stderr.start();
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.toLevel(System.getenv().getOrDefault("ANNEXHOST_LOG", "WARN"), Level.WARN));
        root.addAppender(stderr);
        context.getLogger("org.pf4j").setLevel(Level.ERROR);
        context.getLogger("software.amazon.awssdk").setLevel(Level.INFO);
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }

    /**
     * {@code HH:mm:ss.SSS LEVEL [thread] logger: message}, then the stack trace if any: written
     * by hand, since logback's pattern machinery is a hundred classes more for every process.
     */
    static final class LineEncoder extends EncoderBase<ILoggingEvent> {
        private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");

        @Override
        public byte[] headerBytes() {
            return null;
        }

        @Override
        public byte[] encode(ILoggingEvent e) {
            StringBuilder b = new StringBuilder(128);
            b.append(LocalTime.ofInstant(e.getInstant(), java.time.ZoneId.systemDefault()).format(TIME)).append(' ');
            String level = e.getLevel().toString();
            b.append(level).append(" ".repeat(Math.max(0, 5 - level.length())));
            b.append(" [").append(e.getThreadName()).append("] ").append(shortName(e.getLoggerName())).append(": ");
            b.append(e.getFormattedMessage()).append('\n');
            if (e.getThrowableProxy() != null) {
                b.append(ThrowableProxyUtil.asString(e.getThrowableProxy())).append('\n');
            }
            return b.toString().getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public byte[] footerBytes() {
            return null;
        }

        /** {@code org.annexhost.p2p.transport.StreamConnection} as {@code o.a.p.t.StreamConnection}. */
        static String shortName(String logger) {
            String[] parts = logger.split("\\.");
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < parts.length - 1; i++) {
                b.append(parts[i].isEmpty() ? "" : parts[i].substring(0, 1)).append('.');
            }
            return b.append(parts[parts.length - 1]).toString();
        }
    }
}
