package org.annexhost.status;

import java.time.Duration;
import java.util.Optional;
import org.annexhost.activity.Activity;
import org.annexhost.activity.Json;

/**
 * {@link HostStatus} as people and programs read it: an HTML page that needs no JavaScript (it
 * reloads itself every few seconds), JSON, and text for a terminal. Everything from clients
 * (keys, reasons) is escaped. Stateless.
 */
public final class StatusViews {
    /** How often the page reloads itself. */
    static final int REFRESH_SECONDS = 5;

    private StatusViews() {
    }

    /** @return the status page */
    public static String html(HostStatus s) {
        StringBuilder b = new StringBuilder(4096);
        b.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
                .append("<meta http-equiv=\"refresh\" content=\"").append(REFRESH_SECONDS).append("\">")
                .append("<title>annexhost status</title><style>")
                .append("body{font:15px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}")
                .append("table{border-collapse:collapse;margin:.4em 0 1.2em}td,th{border:1px solid #ccc;padding:.25em .6em;text-align:left}")
                .append("th{background:#f3f3f3}code{font-size:13px}.bad{color:#a00}.ok{color:#070}")
                .append("</style></head><body>\n");
        b.append("<h1>annexhost</h1><p>").append(esc(s.version())).append(" &middot; ")
                .append(esc(s.time().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString())).append(" &middot; ")
                .append(count(s.transfers().size(), "transfer")).append(" in flight &middot; ")
                .append(count(s.locksHeld(), "lock")).append(" held</p>\n");
        b.append("<h2>Repositories</h2>\n");
        if (s.repositories().isEmpty()) {
            b.append("<p>none served</p>\n");
        }
        for (HostStatus.Repository r : s.repositories()) {
            b.append("<section class=\"repository\"><h3>").append(esc(r.name())).append("</h3><table>")
                    .append("<tr><th>uuid</th><td><code>").append(esc(r.uuid())).append("</code></td></tr>")
                    .append("<tr><th>clone</th><td><code>git clone ").append(esc(r.cloneUrl())).append("</code></td></tr>")
                    .append("<tr><th>annex url</th><td><code>").append(esc(r.annexUrl())).append("</code></td></tr></table>\n");
            if (!r.remotes().isEmpty()) {
                b.append("<table><tr><th>remote</th><th>kind</th><th>uuid</th><th>state</th></tr>");
                for (HostStatus.Remote rm : r.remotes()) {
                    b.append("<tr><td>").append(esc(rm.name())).append("</td><td>").append(esc(rm.kind()))
                            .append("</td><td><code>").append(esc(rm.uuid())).append("</code></td><td>")
                            .append(state(rm.lastSeen())).append("</td></tr>");
                    for (HostStatus.Node n : rm.nodes()) {
                        b.append("<tr><td>&nbsp;&nbsp;node ").append(esc(n.name())).append("</td><td>node</td><td></td><td>")
                                .append(state(n.lastSeen())).append("</td></tr>");
                    }
                }
                b.append("</table>\n");
            }
            b.append("</section>\n");
        }
        b.append("<h2>Transfers in flight</h2>\n");
        if (s.transfers().isEmpty()) {
            b.append("<p>none</p>\n");
        } else {
            b.append("<table id=\"transfers\"><tr><th>repository</th><th>remote</th><th>direction</th><th>key</th>")
                    .append("<th>bytes so far</th><th>of</th><th>since</th></tr>");
            for (Activity.Transfer t : s.transfers()) {
                b.append("<tr><td>").append(esc(t.place().repository())).append("</td><td>")
                        .append(esc(t.place().remote().orElse(""))).append("</td><td>").append(t.upload() ? "upload" : "download")
                        .append("</td><td><code>").append(esc(t.key())).append("</code></td><td>").append(t.done())
                        .append("</td><td>").append(t.length()).append("</td><td>").append(esc(age(s, t))).append("</td></tr>");
            }
            b.append("</table>\n");
        }
        b.append("<h2>Recent failures</h2>\n");
        if (s.failures().isEmpty()) {
            b.append("<p>none</p>\n");
        } else {
            b.append("<table id=\"failures\"><tr><th>time</th><th>repository</th><th>remote</th><th>request</th><th>answer</th></tr>");
            for (Activity.Failure f : s.failures()) {
                b.append("<tr><td>").append(esc(f.time().toString())).append("</td><td>").append(esc(f.repository()))
                        .append("</td><td>").append(esc(f.remote().orElse(""))).append("</td><td><code>").append(esc(f.what()))
                        .append("</code></td><td>").append(esc(f.why())).append("</td></tr>");
            }
            b.append("</table>\n");
        }
        b.append("<p><a href=\"/status.json\">JSON</a> &middot; <a href=\"/metrics\">metrics</a> &middot; ")
                .append("<a href=\"/readyz\">readiness</a></p>\n</body></html>\n");
        return b.toString();
    }

    /** @return the status as JSON */
    public static String json(HostStatus s) {
        StringBuilder b = new StringBuilder(2048).append("{\"time\":").append(Json.quote(s.time().toString()))
                .append(",\"version\":").append(Json.quote(s.version())).append(",\"repositories\":[");
        for (int i = 0; i < s.repositories().size(); i++) {
            HostStatus.Repository r = s.repositories().get(i);
            b.append(i == 0 ? "" : ",").append("{\"name\":").append(Json.quote(r.name())).append(",\"uuid\":").append(Json.quote(r.uuid()))
                    .append(",\"clone\":").append(Json.quote(r.cloneUrl())).append(",\"annex\":").append(Json.quote(r.annexUrl()))
                    .append(",\"remotes\":[");
            for (int j = 0; j < r.remotes().size(); j++) {
                HostStatus.Remote rm = r.remotes().get(j);
                b.append(j == 0 ? "" : ",").append("{\"name\":").append(Json.quote(rm.name())).append(",\"uuid\":")
                        .append(Json.quote(rm.uuid())).append(",\"kind\":").append(Json.quote(rm.kind()))
                        .append(",\"lastSeen\":").append(seen(rm.lastSeen())).append(",\"nodes\":[");
                for (int k = 0; k < rm.nodes().size(); k++) {
                    HostStatus.Node n = rm.nodes().get(k);
                    b.append(k == 0 ? "" : ",").append("{\"name\":").append(Json.quote(n.name())).append(",\"lastSeen\":")
                            .append(seen(n.lastSeen())).append('}');
                }
                b.append("]}");
            }
            b.append("]}");
        }
        b.append("],\"transfers\":[");
        for (int i = 0; i < s.transfers().size(); i++) {
            Activity.Transfer t = s.transfers().get(i);
            b.append(i == 0 ? "" : ",").append("{\"id\":").append(Json.quote(t.id())).append(",\"repository\":")
                    .append(Json.quote(t.place().repository())).append(",\"remote\":").append(Json.quote(t.place().remote().orElse("")))
                    .append(",\"direction\":").append(Json.quote(t.upload() ? "upload" : "download")).append(",\"key\":")
                    .append(Json.quote(t.key())).append(",\"bytes\":").append(t.done()).append(",\"length\":").append(t.length())
                    .append(",\"since\":").append(Json.quote(t.started().toString())).append('}');
        }
        b.append("],\"locksHeld\":").append(s.locksHeld()).append(",\"failures\":[");
        for (int i = 0; i < s.failures().size(); i++) {
            b.append(i == 0 ? "" : ",").append(failure(Optional.of(s.failures().get(i))));
        }
        return b.append("]}\n").toString();
    }

    /** @return the status for a terminal */
    public static String text(HostStatus s) {
        StringBuilder b = new StringBuilder(1024);
        b.append(s.version()).append(", ").append(s.time()).append('\n');
        for (HostStatus.Repository r : s.repositories()) {
            b.append("repository ").append(r.name()).append(" (").append(r.uuid()).append(")\n")
                    .append("  clone ").append(r.cloneUrl()).append("\n  annex ").append(r.annexUrl()).append('\n');
            for (HostStatus.Remote rm : r.remotes()) {
                b.append("  remote ").append(rm.name()).append(" [").append(rm.kind()).append("] ").append(rm.uuid()).append(": ")
                        .append(plain(rm.lastSeen())).append('\n');
                for (HostStatus.Node n : rm.nodes()) {
                    b.append("    node ").append(n.name()).append(": ").append(plain(n.lastSeen())).append('\n');
                }
            }
        }
        b.append(count(s.transfers().size(), "transfer")).append(" in flight\n");
        for (Activity.Transfer t : s.transfers()) {
            b.append("  ").append(t.upload() ? "upload " : "download ").append(t.key()).append(" at ").append(t.place().repository())
                    .append(t.place().remote().map(x -> " (" + x + ")").orElse("")).append(": ").append(t.done()).append(" of ")
                    .append(t.length()).append(" bytes, ").append(age(s, t)).append('\n');
        }
        b.append(count(s.locksHeld(), "lock")).append(" held\n");
        b.append(count(s.failures().size(), "recent failure")).append('\n');
        for (Activity.Failure f : s.failures()) {
            b.append("  ").append(f.time()).append(' ').append(f.repository()).append(f.remote().map(x -> " (" + x + ")").orElse(""))
                    .append(": ").append(f.what()).append(": ").append(f.why()).append('\n');
        }
        return b.toString();
    }

    /** @return {@code 1 transfer}, {@code 2 transfers} */
    private static String count(int n, String what) {
        return n + " " + what + (n == 1 ? "" : "s");
    }

    private static String age(HostStatus s, Activity.Transfer t) {
        Duration d = Duration.between(t.started(), s.time());
        return Math.max(0, d.toSeconds()) + " s";
    }

    private static String state(Optional<Activity.Seen> seen) {
        return seen.map(x -> x.ok() ? "<span class=\"ok\">answered " + esc(x.time().toString()) + "</span>"
                        : "<span class=\"bad\">failed " + esc(x.time().toString()) + ": " + esc(x.detail()) + "</span>")
                .orElse("not reached yet");
    }

    private static String plain(Optional<Activity.Seen> seen) {
        return seen.map(x -> x.ok() ? "answered " + x.time() : "failed " + x.time() + ": " + x.detail()).orElse("not reached yet");
    }

    private static String seen(Optional<Activity.Seen> seen) {
        return seen.map(x -> "{\"time\":" + Json.quote(x.time().toString()) + ",\"ok\":" + x.ok() + ",\"detail\":"
                + Json.quote(x.detail()) + "}").orElse("null");
    }

    private static String failure(Optional<Activity.Failure> f) {
        if (f.isEmpty()) {
            return "null";
        }
        Activity.Failure x = f.get();
        return "{\"time\":" + Json.quote(x.time().toString()) + ",\"repository\":" + Json.quote(x.repository()) + ",\"remote\":"
                + Json.quote(x.remote().orElse("")) + ",\"request\":" + Json.quote(x.what()) + ",\"answer\":" + Json.quote(x.why()) + "}";
    }

    /** @return the text with HTML's special characters escaped */
    static String esc(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c < 0x20 && c != '\t' ? '?' : c);
            }
        }
        return b.toString();
    }
}
