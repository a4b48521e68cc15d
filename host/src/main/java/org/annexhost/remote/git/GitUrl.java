package org.annexhost.remote.git;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a git remote lives, from its url as git and git-annex read it: {@code ssh://[user@]host[:port]/path},
 * the scp-like {@code [user@]host:path}, or a local path ({@code /path}, {@code file:///path}).
 *
 * @param host the ssh host with any user, or empty for a local repository
 * @param port the ssh port, if the url names one
 * @param path the repository's path on that host
 */
public record GitUrl(Optional<String> host, Optional<Integer> port, String path) {
    private static final Pattern SSH = Pattern.compile("ssh://([^/:]+)(?::(\\d+))?(/.*)");
    private static final Pattern SCP = Pattern.compile("([^/:]+):(.+)");

    /**
     * @return the parsed url
     * @throws IllegalArgumentException for urls that are not ssh or local (http urls included)
     */
    public static GitUrl parse(String url) {
        Matcher m = SSH.matcher(url);
        if (m.matches()) {
            String path = m.group(3);
            // git: ssh://host/~user/path is relative to a home directory
            if (path.startsWith("/~")) {
                path = path.substring(1);
            }
            return new GitUrl(Optional.of(m.group(1)), Optional.ofNullable(m.group(2)).map(Integer::valueOf), path);
        }
        if (url.startsWith("file://")) {
            return new GitUrl(Optional.empty(), Optional.empty(), url.substring("file://".length()));
        }
        if (url.startsWith("/") || url.startsWith("./") || url.startsWith("../")) {
            return new GitUrl(Optional.empty(), Optional.empty(), url);
        }
        if (url.contains("://")) {
            throw new IllegalArgumentException("unsupported url " + url + ": annexhost reaches git remotes over ssh"
                    + " (ssh://host/path or host:path) or by local path");
        }
        m = SCP.matcher(url);
        if (m.matches()) {
            return new GitUrl(Optional.of(m.group(1)), Optional.empty(), m.group(2));
        }
        throw new IllegalArgumentException("not a git url: " + url);
    }

    /**
     * @param shellArgs git-annex-shell's command and parameters
     * @return the command line that runs git-annex-shell there: through ssh with the words
     *     quoted as git-annex quotes them, or directly for a local repository
     */
    public List<String> shellCommand(List<String> shellArgs) {
        List<String> cmd = new ArrayList<>();
        if (host.isEmpty()) {
            cmd.add("git-annex-shell");
            cmd.addAll(shellArgs);
            return cmd;
        }
        cmd.add("ssh");
        port.ifPresent(p -> {
            cmd.add("-p");
            cmd.add(p.toString());
        });
        cmd.add(host.get());
        StringBuilder remote = new StringBuilder("git-annex-shell");
        for (String a : shellArgs) {
            remote.append(' ').append(a.startsWith("--") ? a : quote(a));
        }
        cmd.add(remote.toString());
        return cmd;
    }

    /** Single-quotes a word for the remote shell. */
    static String quote(String word) {
        return "'" + word.replace("'", "'\"'\"'") + "'";
    }
}
