package org.annexhost.cli;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.encoder.EncoderBase;
import java.nio.charset.StandardCharsets;
import java.time.LocalTime;

/**
 * {@code HH:mm:ss.SSS LEVEL [thread] logger: message}, then the stack trace if any: written
 * by hand, since logback's pattern machinery is a hundred classes more for every process.
 */
final class LineEncoder extends EncoderBase<ILoggingEvent> {
    private static final java.time.ZoneId ZONE = java.time.ZoneId.systemDefault();
    /** The last second formatted, {@code HH:mm:ss.}: a busy host logs many lines a second. */
    private volatile Second second = new Second(Long.MIN_VALUE, "");
    private final java.util.concurrent.ConcurrentHashMap<String, String> shortNames = new java.util.concurrent.ConcurrentHashMap<>();

    private record Second(long epochSecond, String prefix) {
    }

    @Override
    public byte[] headerBytes() {
        return null;
    }

    @Override
    public byte[] encode(ILoggingEvent e) {
        StringBuilder b = new StringBuilder(320);
        time(b, e.getTimeStamp());
        String level = e.getLevel().toString();
        b.append(level).append(" ".repeat(Math.max(0, 5 - level.length())));
        b.append(" [").append(e.getThreadName()).append("] ")
                .append(shortNames.computeIfAbsent(e.getLoggerName(), LineEncoder::shortName)).append(": ");
        b.append(e.getFormattedMessage());
        if (e.getKeyValuePairs() != null) {
            for (org.slf4j.event.KeyValuePair kv : e.getKeyValuePairs()) {
                b.append(' ').append(kv.key).append('=');
                if (kv.value instanceof Long || kv.value instanceof Integer) {
                    b.append(((Number) kv.value).longValue()); // a number is one plain word
                } else {
                    value(b, String.valueOf(kv.value));
                }
            }
        }
        b.append('\n');
        if (e.getThrowableProxy() != null) {
            b.append(ThrowableProxyUtil.asString(e.getThrowableProxy())).append('\n');
        }
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public byte[] footerBytes() {
        return null;
    }

    /** {@code HH:mm:ss.SSS } in the local zone: the second's part formatted once a second. */
    private void time(StringBuilder b, long millis) {
        long sec = Math.floorDiv(millis, 1000);
        Second s = second;
        if (s.epochSecond() != sec) {
            LocalTime t = LocalTime.ofInstant(java.time.Instant.ofEpochSecond(sec), ZONE);
            s = new Second(sec, String.format(java.util.Locale.ROOT, "%02d:%02d:%02d.", t.getHour(), t.getMinute(), t.getSecond()));
            second = s;
        }
        int ms = Math.floorMod(millis, 1000);
        b.append(s.prefix()).append((char) ('0' + ms / 100)).append((char) ('0' + ms / 10 % 10))
                .append((char) ('0' + ms % 10)).append(' ');
    }

    /**
     * A value as is when it is one plain word, else quoted with {@code "} and {@code \\}
     * escaped; control characters are escaped either way, so a value from a client (a key, a
     * reason) cannot start a line of its own.
     */
    static void value(StringBuilder b, String v) {
        boolean plain = !v.isEmpty();
        for (int i = 0; i < v.length() && plain; i++) {
            char c = v.charAt(i);
            plain = c > ' ' && c != '"' && c != '\\' && c != 0x7f;
        }
        if (plain) {
            b.append(v);
            return;
        }
        b.append('"');
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c < ' ' || c == 0x7f) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        b.append('"');
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
