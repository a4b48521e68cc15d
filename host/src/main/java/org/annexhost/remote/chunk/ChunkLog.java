package org.annexhost.remote.chunk;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.annexhost.api.Uuid;
import org.annexhost.repo.branch.PresenceLog;

/**
 * git-annex's chunk log ({@code Logs/Chunk.hs}), a map log kept per key in the branch as
 * {@code KEY.log.cnk}: lines {@code TIMESTAMPs UUID:CHUNKSIZE COUNT}, the newest line per
 * uuid and chunk size counting; a count of 0 records that those chunks were removed. Stateless.
 */
public final class ChunkLog {
    /** One way a key is stored on a remote: that many chunks of that size. */
    public record Chunking(long chunkSize, long count) {
    }

    private ChunkLog() {
    }

    /** @return the chunkings the log records for a remote, with a count above 0 */
    public static List<Chunking> current(String log, Uuid uuid) {
        List<Chunking> out = new ArrayList<>();
        for (Map.Entry<String, String[]> e : newest(log).entrySet()) {
            String field = e.getKey();
            int colon = field.lastIndexOf(':');
            if (colon < 0 || !field.substring(0, colon).equals(uuid.value())) {
                continue;
            }
            try {
                long size = Long.parseLong(field.substring(colon + 1));
                long count = Long.parseLong(e.getValue()[2]);
                if (count > 0 && size > 0) {
                    out.add(new Chunking(size, count));
                }
            } catch (NumberFormatException ignored) {
                // git-annex's UnknownChunks: a method this version cannot use
            }
        }
        return out;
    }

    /** @return the log with the remote's count for a chunk size set, as of a time */
    public static String update(String log, Uuid uuid, long chunkSize, long count, Instant when) {
        Map<String, String[]> lines = newest(log);
        String field = uuid.value() + ":" + chunkSize;
        lines.put(field, new String[] {PresenceLog.timestamp(when), field, Long.toString(count)});
        StringBuilder b = new StringBuilder();
        for (String[] w : lines.values()) {
            b.append(String.join(" ", w)).append('\n');
        }
        return b.toString();
    }

    /** The newest line per field, by timestamp, in first-seen order. */
    private static Map<String, String[]> newest(String log) {
        Map<String, String[]> byField = new LinkedHashMap<>();
        for (String line : log.split("\n")) {
            String[] w = line.split(" ", 3);
            if (w.length != 3) {
                continue;
            }
            String[] old = byField.get(w[1]);
            if (old == null || seconds(w[0]) >= seconds(old[0])) {
                byField.put(w[1], w);
            }
        }
        return byField;
    }

    private static double seconds(String stamp) {
        try {
            return Double.parseDouble(stamp.endsWith("s") ? stamp.substring(0, stamp.length() - 1) : stamp);
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
