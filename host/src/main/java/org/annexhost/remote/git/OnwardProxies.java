package org.annexhost.remote.git;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.annexhost.api.Uuid;
import org.annexhost.repo.Git;

/**
 * The remotes another gateway proxies, as its own {@code git-annex} branch's {@code proxy.log}
 * lists them: fetched with git from the gateway's git url into a ref of the host's own, so the
 * host can proxy them onward (clients then see {@code GATEWAY-OTHER-NAME}, as git-annex names
 * them). Stateless.
 */
public final class OnwardProxies {
    private static final java.util.regex.Pattern SAFE_NAME = java.util.regex.Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");
    private OnwardProxies() {
    }

    /** A remote the other gateway proxies: its uuid and the other gateway's name for it. */
    public record Entry(Uuid uuid, String name) {
        /** @return how git config keeps it: {@code UUID:NAME} */
        @Override
        public String toString() {
            return uuid.value() + ":" + name;
        }
    }

    /**
     * Fetches the remote's git-annex branch and reads what it proxies.
     *
     * @param git the host repository
     * @param remoteName the remote's name here, naming the ref fetched into
     * @param url the remote's git url
     * @param gateway the remote's uuid
     * @return its proxied remotes; empty if it proxies none
     * @throws IOException if git cannot fetch from it
     */
    public static List<Entry> fetch(Git git, String remoteName, String url, Uuid gateway) throws IOException {
        String ref = "refs/annexhost/gateways/" + remoteName;
        git.run("fetch", "--quiet", "--no-tags", url, "+refs/heads/git-annex:" + ref);
        if (!git.succeeds("cat-file", "-e", ref + ":proxy.log")) {
            return List.of();
        }
        return parse(git.run("show", ref + ":proxy.log"), gateway);
    }

    /** @return the newest proxy.log line's entries for the gateway */
    static List<Entry> parse(String proxyLog, Uuid gateway) {
        String newest = null;
        String newestStamp = "";
        for (String line : proxyLog.split("\n")) {
            String[] w = line.strip().split(" ");
            if (w.length >= 2 && w[1].equals(gateway.value()) && stamp(w[0]).compareTo(newestStamp) >= 0) {
                newest = line.strip();
                newestStamp = stamp(w[0]);
            }
        }
        return newest == null ? List.of() : entries(newest.split(" ", 3).length < 3 ? "" : newest.split(" ", 3)[2]);
    }

    /** @return entries of {@code UUID:NAME UUID:NAME ...} */
    public static List<Entry> entries(String words) {
        List<Entry> out = new ArrayList<>();
        for (String w : words.strip().split("\\s+")) {
            int colon = w.indexOf(':');
            if (colon <= 0) {
                continue;
            }
            String name = w.substring(colon + 1);
            if (!SAFE_NAME.matcher(name).matches()) {
                continue; // another gateway's branch is not ours to trust with odd remote names
            }
            try {
                out.add(new Entry(new Uuid(w.substring(0, colon)), name));
            } catch (IllegalArgumentException e) {
                // not a uuid: skip what we cannot route
            }
        }
        return out;
    }

    /** Timestamps {@code 1234.5s} compared as fixed-width text. */
    private static String stamp(String t) {
        String s = t.endsWith("s") ? t.substring(0, t.length() - 1) : t;
        int dot = s.indexOf('.');
        String whole = dot < 0 ? s : s.substring(0, dot);
        String frac = dot < 0 ? "" : s.substring(dot + 1);
        return "0".repeat(Math.max(0, 20 - whole.length())) + whole + "." + frac;
    }
}
