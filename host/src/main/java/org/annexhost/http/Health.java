package org.annexhost.http;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code /healthz} and {@code /readyz}, answered in the IETF health-check format
 * ({@code application/health+json}, draft-inadarei-api-health-check): alive is the process
 * answering; ready is every served repository readable (its git directory, config and objects)
 * and writable where the host writes (a probe file made and removed in its {@code annex}
 * directory, which also catches a read-only or full filesystem). Nothing is probed beyond the
 * host's own disks, so calling it often costs a few file operations per repository. Stateless.
 * Answers name repositories (as their urls do) but never server paths. Proxied remotes and cluster
 * nodes are never probed: each one clients reached has a check of how it last answered them, and
 * how long ago, which warns but never makes the host unready.
 */
final class Health {
    static final String TYPE = "application/health+json";

    /** One answer: the HTTP status and the body. */
    record Answer(int status, String json) {
    }

    private Health() {
    }

    /** @return the liveness answer: always pass, since answering is the test */
    static Answer alive() {
        return new Answer(200, "{\"status\":\"pass\"}");
    }

    /** @return the readiness answer over the repositories served now */
    static Answer ready(Map<String, HttpRepository> repositories) {
        return ready(repositories, List.of());
    }

    /**
     * @param remotes the last outcome clients' requests found at each remote and cluster node:
     *     each is a check of its own, {@code pass} or {@code warn} (a remote behind the gateway
     *     does not make the gateway unready) with the time it was seen and its age in seconds
     * @return the readiness answer over the repositories served now
     */
    static Answer ready(Map<String, HttpRepository> repositories, List<org.annexhost.activity.Activity.Seen> remotes) {
        Map<String, List<String>> checks = new TreeMap<>();
        boolean pass = true;
        String now = Instant.now().toString();
        for (HttpRepository r : repositories.values()) {
            String readable = readable(r.gitDir());
            String writable = readable == null ? writable(r.gitDir()) : "not checked: not readable";
            pass &= readable == null && writable == null;
            checks.put(r.name() + ":readable", List.of(check(readable, now)));
            checks.put(r.name() + ":writable", List.of(check(writable, now)));
        }
        Instant at = Instant.now();
        for (org.annexhost.activity.Activity.Seen seen : remotes) {
            StringBuilder c = new StringBuilder("{\"componentType\":\"component\",\"status\":")
                    .append(seen.ok() ? "\"pass\"" : "\"warn\"").append(",\"time\":").append(HttpReplies.quote(seen.time().toString()))
                    .append(",\"observedValue\":").append(Math.max(0, java.time.Duration.between(seen.time(), at).toSeconds()))
                    .append(",\"observedUnit\":\"s\"");
            if (!seen.ok()) {
                c.append(",\"output\":").append(HttpReplies.quote(seen.detail()));
            }
            checks.put(seen.place().repository() + "/" + seen.place().remote().orElse("") + ":reachable", List.of(c.append('}').toString()));
        }
        StringBuilder b = new StringBuilder("{\"status\":").append(pass ? "\"pass\"" : "\"fail\"").append(",\"checks\":{");
        List<String> entries = new ArrayList<>();
        checks.forEach((name, list) -> entries.add(HttpReplies.quote(name) + ":[" + String.join(",", list) + "]"));
        b.append(String.join(",", entries)).append("}}");
        return new Answer(pass ? 200 : 503, b.toString());
    }

    private static String check(String failure, String time) {
        StringBuilder b = new StringBuilder("{\"componentType\":\"datastore\",\"status\":")
                .append(failure == null ? "\"pass\"" : "\"fail\"").append(",\"time\":").append(HttpReplies.quote(time));
        if (failure != null) {
            b.append(",\"output\":").append(HttpReplies.quote(failure));
        }
        return b.append('}').toString();
    }

    /** @return why the repository cannot be read, or null if it can */
    private static String readable(Path gitDir) {
        if (!Files.isDirectory(gitDir)) {
            return "its git directory is gone";
        }
        if (!Files.isReadable(gitDir.resolve("config")) || !Files.isDirectory(gitDir.resolve("objects"))) {
            return "its git directory is no longer a readable repository (config, objects)";
        }
        return null;
    }

    /** @return why the host cannot write in the repository, or null if it can */
    private static String writable(Path gitDir) {
        Path annex = gitDir.resolve("annex");
        try {
            Files.createDirectories(annex);
            Path probe = Files.createTempFile(annex, ".readyz-", ".tmp");
            Files.write(probe, new byte[] {'r'});
            Files.delete(probe);
            return null;
        } catch (IOException | SecurityException e) {
            // Not the path: the answer goes to anyone who asks, and the server's layout is its own.
            String reason = e instanceof java.nio.file.FileSystemException f && f.getReason() != null
                    ? f.getReason() : e.getClass().getSimpleName();
            return "cannot write in its annex directory: " + reason;
        }
    }
}
