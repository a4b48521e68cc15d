package org.annexhost.remote;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.annexhost.api.Uuid;
import org.annexhost.repo.branch.PresenceLog;

/**
 * git-annex's remote state log ({@code Logs/RemoteState.hs}): per key, one line per remote,
 * {@code TIMESTAMPs UUID STATE}, the newest line per uuid kept. Stateless.
 */
final class RemoteStateLog {
    private RemoteStateLog() {
    }

    static Optional<String> value(String log, Uuid uuid) {
        Optional<String> out = Optional.empty();
        for (String line : log.split("\n")) {
            String[] w = line.split(" ", 3);
            if (w.length >= 2 && w[1].equals(uuid.value())) {
                out = Optional.of(w.length == 3 ? w[2] : "");
            }
        }
        return out.filter(v -> !v.isEmpty());
    }

    static String update(String log, Uuid uuid, String value, Instant now) {
        Map<String, String> byUuid = new LinkedHashMap<>();
        for (String line : log.split("\n")) {
            String[] w = line.split(" ", 3);
            if (w.length >= 2) {
                byUuid.put(w[1], line);
            }
        }
        byUuid.put(uuid.value(), PresenceLog.timestamp(now) + " " + uuid.value() + " " + value);
        return String.join("\n", byUuid.values()) + "\n";
    }
}
