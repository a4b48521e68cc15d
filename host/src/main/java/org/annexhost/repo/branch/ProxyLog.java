package org.annexhost.repo.branch;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * git-annex's {@code proxy.log} ({@code Logs/Proxy.hs}): one line per gateway,
 * {@code TIMESTAMPs GATEWAYUUID UUID:NAME UUID:NAME ...}. A client instantiates a remote named
 * {@code GATEWAY-NAME} for each entry and reaches it through the gateway with {@code --uuid}.
 * Stateless.
 */
public final class ProxyLog {
    private ProxyLog() {
    }

    /**
     * @param proxied uuid to name, in the order to write them
     * @return the log with the gateway's line replaced (or removed, when nothing is proxied)
     */
    public static String update(String log, String gateway, List<Map.Entry<String, String>> proxied, Instant now) {
        StringBuilder b = new StringBuilder();
        for (String line : log.split("\n")) {
            String[] w = line.split(" ", 3);
            if (!line.isBlank() && !(w.length >= 2 && w[1].equals(gateway))) {
                b.append(line).append('\n');
            }
        }
        b.append(PresenceLog.timestamp(now)).append(' ').append(gateway);
        for (Map.Entry<String, String> e : proxied) {
            b.append(' ').append(e.getKey()).append(':').append(e.getValue());
        }
        return b.append('\n').toString();
    }
}
