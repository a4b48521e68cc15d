package org.annexhost.repo;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A snapshot of a repository's git configuration as {@code git config --list -z} prints it: keys
 * canonical (section and variable lower-cased, subsection as written), in git's order. One git
 * process answers every lookup until one of the configuration files changes, where asking
 * {@code git config --get} per setting cost a process each, a hundred or more per connection.
 *
 * <p>Immutable and thread-safe.
 */
public final class GitConfig {
    /** One setting; a valueless boolean ({@code [core] bare}) has the value "". */
    public record Entry(String key, String value) {
    }

    private final List<Entry> entries;
    private final byte[] fingerprint;

    private GitConfig(List<Entry> entries, byte[] fingerprint) {
        this.entries = List.copyOf(entries);
        this.fingerprint = fingerprint;
    }

    /** @return the output of {@code git config --list -z} as a snapshot, stamped with the files' fingerprint */
    static GitConfig parse(String listZ, byte[] fingerprint) {
        List<Entry> out = new ArrayList<>();
        for (String item : listZ.split("\0")) {
            if (item.isEmpty()) {
                continue;
            }
            int nl = item.indexOf('\n');
            out.add(nl < 0 ? new Entry(item, "") : new Entry(item.substring(0, nl), item.substring(nl + 1)));
        }
        return new GitConfig(out, fingerprint);
    }

    /** @return a snapshot with no settings (a repository git cannot read), never reused */
    static GitConfig empty() {
        return new GitConfig(List.of(), null);
    }

    /** @return the last value of the key, as {@code git config --get} gives it */
    public Optional<String> get(String key) {
        String k = canonical(key);
        Optional<String> found = Optional.empty();
        for (Entry e : entries) {
            if (e.key.equals(k)) {
                found = Optional.of(e.value);
            }
        }
        return found;
    }

    /** @return the settings whose canonical key the regular expression finds, as {@code git config --get-regexp} */
    public List<Entry> matching(String regex) {
        Pattern p = Pattern.compile(regex);
        return entries.stream().filter(e -> p.matcher(e.key).find()).toList();
    }

    /** @return true if this snapshot was read while the configuration files held exactly these bytes */
    boolean readFrom(byte[] currentFingerprint) {
        return fingerprint != null && Arrays.equals(fingerprint, currentFingerprint);
    }

    private static String canonical(String key) {
        int first = key.indexOf('.');
        int last = key.lastIndexOf('.');
        if (first < 0) {
            return key.toLowerCase(Locale.ROOT);
        }
        return key.substring(0, first).toLowerCase(Locale.ROOT) + key.substring(first, last)
                + key.substring(last).toLowerCase(Locale.ROOT);
    }

    /**
     * The contents of every file git reads its configuration from, for this repository and
     * environment; null when a file includes others, which this does not follow (then nothing is
     * reused). Reading a few small files costs far less than starting git.
     */
    static byte[] fingerprint(Path gitDir, Map<String, String> processEnv) {
        List<Path> files = new ArrayList<>();
        files.add(gitDir.resolve("config"));
        files.add(gitDir.resolve("config.worktree"));
        String home = processEnv.getOrDefault("HOME", "");
        if (processEnv.containsKey("GIT_CONFIG_GLOBAL")) {
            files.add(Path.of(processEnv.get("GIT_CONFIG_GLOBAL")));
        } else if (!home.isEmpty()) {
            files.add(Path.of(home, ".gitconfig"));
            String xdg = processEnv.getOrDefault("XDG_CONFIG_HOME", home + "/.config");
            files.add(Path.of(xdg, "git", "config"));
        }
        if (!processEnv.containsKey("GIT_CONFIG_NOSYSTEM")) {
            files.add(Path.of(processEnv.getOrDefault("GIT_CONFIG_SYSTEM", "/etc/gitconfig")));
        }
        java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
        for (Path f : files) {
            byte[] content;
            try {
                content = Files.readAllBytes(f);
            } catch (NoSuchFileException e) {
                content = new byte[0];
            } catch (IOException e) {
                return null;
            }
            if (new String(content, StandardCharsets.UTF_8).toLowerCase(Locale.ROOT).contains("include")) {
                return null;
            }
            all.writeBytes(f.toString().getBytes(StandardCharsets.UTF_8));
            all.write(0);
            all.writeBytes(Long.toString(content.length).getBytes(StandardCharsets.UTF_8));
            all.write(0);
            all.writeBytes(content);
        }
        return all.toByteArray();
    }

    @Override
    public String toString() {
        return entries.size() + " settings";
    }
}
