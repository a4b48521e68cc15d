package org.annexhost.repo.branch;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.annexhost.api.Uuid;

/**
 * git-annex's presence log line format ({@code Logs/Presence/Pure.hs}), used by the location log:
 * {@code TIMESTAMPs 1 UUID} (present) or {@code TIMESTAMPs 0 UUID} (absent). Updating keeps one
 * line per uuid, the newest, as git-annex compacts it. Stateless.
 */
public final class PresenceLog {
    private PresenceLog() {
    }

    /**
     * @param log the current log text
     * @return the log with the uuid's line replaced by one saying present or absent at that time
     */
    public static String update(String log, Uuid uuid, boolean present, Instant when) {
        return update(log, uuid.value(), present, when);
    }

    /**
     * @param info what the line is about: a uuid, or a url in the url log
     * @return the log with the info's line replaced
     */
    public static String update(String log, String info, boolean present, Instant when) {
        Map<String, String> byUuid = new LinkedHashMap<>();
        for (String line : log.split("\n")) {
            String[] w = line.split(" ", 3);
            if (w.length == 3) {
                byUuid.put(w[2], line);
            }
        }
        byUuid.put(info, timestamp(when) + " " + (present ? "1" : "0") + " " + info);
        List<String> lines = new ArrayList<>(byUuid.values());
        return String.join("\n", lines) + "\n";
    }

    /** @return the uuids the log says are present */
    public static List<String> present(String log) {
        List<String> out = new ArrayList<>();
        for (String line : log.split("\n")) {
            String[] w = line.split(" ", 3);
            if (w.length == 3 && w[1].equals("1")) {
                out.add(w[2]);
            }
        }
        return out;
    }

    /** @return a timestamp as git-annex writes it, e.g. {@code 1700000000.123456789s} */
    public static String timestamp(Instant when) {
        String nanos = Integer.toString(when.getNano());
        return when.getEpochSecond() + "." + "000000000".substring(nanos.length()) + nanos + "s";
    }
}
