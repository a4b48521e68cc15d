package org.annexhost.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The host's own log lines, written by hand for speed: exactly what the slow way wrote, and none lost. */
class LogLinesTest {
    @TempDir
    Path tmp;

    static LoggingEvent event(LoggerContext context, long millis, String message, Object... keyValues) {
        LoggingEvent e = new LoggingEvent("x", context.getLogger("org.annexhost.activity.request"), Level.INFO, message, null, null);
        e.setTimeStamp(millis);
        e.setThreadName("http-7");
        for (int i = 0; i < keyValues.length; i += 2) {
            e.addKeyValuePair(new org.slf4j.event.KeyValuePair((String) keyValues[i], keyValues[i + 1]));
        }
        return e;
    }

    @Test
    void aLineHasTheLocalTimeToTheMillisecondAndItsValuesPlainOrQuoted() {
        LoggerContext context = new LoggerContext();
        LineEncoder encoder = new LineEncoder();
        encoder.setContext(context);
        encoder.start();
        long[] times = {1_765_100_000_007L, 1_765_100_000_999L, 1_765_100_001_000L, 1_765_103_599_090L, 5L};
        for (long t : times) {
            String line = new String(encoder.encode(event(context, t, "http", "id", "ab12", "status", 200, "in", 5L,
                    "key", "a \"b\"\nc", "user", "")), StandardCharsets.UTF_8);
            LocalTime lt = LocalTime.ofInstant(java.time.Instant.ofEpochMilli(t), ZoneId.systemDefault());
            String expected = String.format("%02d:%02d:%02d.%03d INFO  [http-7] o.a.a.request: http id=ab12 status=200 in=5 "
                    + "key=\"a \\\"b\\\"\\u000ac\" user=\"\"%n", lt.getHour(), lt.getMinute(), lt.getSecond(), t % 1000);
            assertThat(line).isEqualTo(expected);
        }
    }

    @Test
    void linesFromManyThreadsAreAllWrittenWholeAndInEachThreadsOrder() throws Exception {
        LoggerContext context = new LoggerContext();
        Path file = tmp.resolve("activity.log");
        BufferedLog log = new BufferedLog(context, file);
        int threads = 8;
        int each = 20_000; // well past several batches
        List<Thread> ts = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int me = t;
            ts.add(new Thread(() -> {
                for (int i = 0; i < each; i++) {
                    log.doAppend(event(context, System.currentTimeMillis(), "http", "t", me, "i", i));
                }
            }));
        }
        ts.forEach(Thread::start);
        for (Thread t : ts) {
            t.join();
        }
        log.stop();
        List<String> lines = Files.readAllLines(file);
        assertThat(lines).hasSize(threads * each);
        int[] next = new int[threads];
        for (String l : lines) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile(".* http t=(\\d+) i=(\\d+)$").matcher(l);
            assertThat(m.matches()).as(l).isTrue();
            int t = Integer.parseInt(m.group(1));
            assertThat(Integer.parseInt(m.group(2))).isEqualTo(next[t]++);
        }
    }
}
