package org.annexhost.repo.branch;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * git-annex's {@code remote.log}: one line per special remote, {@code UUID k=v k=v
 * timestamp=Ts}, values escaped as git-annex escapes them (whitespace and {@code &} as
 * {@code &N;}) ({@code Logs/Remote/Pure.hs}). The newest line per uuid wins. Stateless.
 */
public final class RemoteLog {
    private RemoteLog() {
    }

    /** @return each remote's configuration by uuid, newest line winning */
    public static Map<String, Map<String, String>> parse(String log) {
        Map<String, Map<String, String>> out = new LinkedHashMap<>();
        Map<String, Double> when = new LinkedHashMap<>();
        for (String line : log.split("\n")) {
            String[] w = line.trim().split("\\s+");
            if (w.length < 2 || w[0].isEmpty()) {
                continue;
            }
            Map<String, String> config = new TreeMap<>();
            double ts = 0;
            for (int i = 1; i < w.length; i++) {
                int eq = w[i].indexOf('=');
                if (eq <= 0) {
                    continue;
                }
                String k = w[i].substring(0, eq);
                String v = unescape(w[i].substring(eq + 1));
                if (k.equals("timestamp") && i == w.length - 1 && v.endsWith("s")) {
                    ts = parseTimestamp(v);
                } else {
                    config.put(k, v);
                }
            }
            if (ts >= when.getOrDefault(w[0], -1.0)) {
                when.put(w[0], ts);
                out.put(w[0], config);
            }
        }
        return out;
    }

    /** @return the log with the remote's line replaced */
    public static String update(String log, String uuid, Map<String, String> config, Instant now) {
        StringBuilder b = new StringBuilder();
        for (String line : log.split("\n")) {
            if (!line.isBlank() && !line.startsWith(uuid + " ")) {
                b.append(line).append('\n');
            }
        }
        b.append(uuid);
        new TreeMap<>(config).forEach((k, v) -> b.append(' ').append(k).append('=').append(escape(v)));
        return b.append(" timestamp=").append(PresenceLog.timestamp(now)).append('\n').toString();
    }

    static String escape(String v) {
        StringBuilder b = new StringBuilder();
        for (char c : v.toCharArray()) {
            if (Character.isWhitespace(c) || c == '&') {
                b.append('&').append((int) c).append(';');
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    static String unescape(String v) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            int semi = v.indexOf(';', i);
            if (c == '&' && semi > i + 1 && v.substring(i + 1, semi).chars().allMatch(Character::isDigit)) {
                b.append((char) Integer.parseInt(v.substring(i + 1, semi)));
                i = semi;
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    private static double parseTimestamp(String v) {
        try {
            return Double.parseDouble(v.substring(0, v.length() - 1));
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
