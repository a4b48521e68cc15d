package org.annexhost.shell;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A git-annex-shell command line, parsed: the command, the repository directory, positional
 * parameters, and the {@code --uuid} option. Accepts what git-annex-shell accepts: the words
 * directly, or one string to unescape (with or without a leading {@code git-annex-shell}), as an
 * ssh forced command or a login shell receives it. {@code -- field=value ... --} fields are read
 * and ignored, as git-annex-shell ignores fields it does not know.
 *
 * @param command the command word, e.g. {@code p2pstdio}
 * @param directory the repository directory, if given
 * @param params positional parameters after the directory
 * @param uuid the {@code --uuid} option, if given
 */
public record ShellCommandLine(String command, Optional<String> directory, List<String> params,
                               Optional<String> uuid) {
    /** The git-annex-shell commands annexhost implements. */
    static final List<String> BUILTINS = List.of("configlist", "p2pstdio", "notifychanges");
    /** The git commands git-annex-shell passes on to git. */
    static final List<String> GIT_COMMANDS = List.of("git-upload-pack", "git-receive-pack", "git-upload-archive");
    /** Older git-annex-shell commands that clients newer than 6.20180312 do not use. */
    static final List<String> LEGACY = List.of("inannex", "sendkey", "recvkey", "dropkey",
            "gcryptsetup", "transferinfo", "commit", "lockcontent");

    /**
     * The shell's own option, before the command: {@code --user NAME} (from the forced command,
     * never from what the client asked for).
     *
     * @param user the host user named, if any
     * @param rest the arguments after it
     */
    public record Arguments(Optional<String> user, List<String> rest) {
        /**
         * @throws ShellException for {@code --user} with no name after it
         */
        public static Arguments of(List<String> args) throws ShellException {
            if (!args.isEmpty() && (args.get(0).equals("--user") || args.get(0).startsWith("--user="))) {
                String a = args.get(0);
                if (a.startsWith("--user=")) {
                    return new Arguments(Optional.of(a.substring(7)).filter(n -> !n.isEmpty()), List.copyOf(args.subList(1, args.size())));
                }
                if (args.size() < 2 || args.get(1).isEmpty()) {
                    throw new ShellException("bad parameters: --user needs a user name");
                }
                return new Arguments(Optional.of(args.get(1)), List.copyOf(args.subList(2, args.size())));
            }
            return new Arguments(Optional.empty(), List.copyOf(args));
        }

        /** @return the arguments as given, the option first (how they are handed over) */
        public List<String> all() {
            List<String> out = new ArrayList<>();
            user.ifPresent(u -> {
                out.add("--user");
                out.add(u);
            });
            out.addAll(rest);
            return out;
        }
    }

    /**
     * @param args the shell's arguments, as it got them (after {@link Arguments})
     * @param env the shell's environment
     * @return the words of its command: the arguments, else (a forced command has none) what the
     *     client asked ssh for, {@code SSH_ORIGINAL_COMMAND}; empty if neither holds one
     */
    public static List<String> invocation(List<String> args, Map<String, String> env) {
        if (!args.isEmpty()) {
            return List.copyOf(args);
        }
        String original = env.get("SSH_ORIGINAL_COMMAND");
        return original == null || original.isBlank() ? List.of() : List.of(original);
    }

    /**
     * @param args the words after {@code shell}, with any leading {@code -c} removed
     * @throws ShellException for an empty command or an unterminated quote
     */
    public static ShellCommandLine parse(List<String> args) throws ShellException {
        List<String> words = new ArrayList<>(args);
        while (!words.isEmpty() && words.get(0).equals("-c")) {
            words.remove(0);
        }
        if (words.size() == 1) {
            try {
                words = new ArrayList<>(ShellWords.split(words.get(0)));
            } catch (IllegalArgumentException e) {
                throw new ShellException(e.getMessage());
            }
        }
        if (!words.isEmpty() && words.get(0).equals("git-annex-shell")) {
            words.remove(0);
        }
        if (words.isEmpty()) {
            throw new ShellException("bad parameters: no command given");
        }
        return fromWords(words);
    }

    private static ShellCommandLine fromWords(List<String> words) throws ShellException {
        String command = words.get(0);
        List<String> positional = new ArrayList<>();
        Optional<String> uuid = Optional.empty();
        boolean inFields = false;
        for (int i = 1; i < words.size(); i++) {
            String w = words.get(i);
            if (w.equals("--")) {
                inFields = !inFields;
            } else if (inFields) {
                continue;
            } else if (w.equals("--uuid")) {
                if (i + 1 >= words.size()) {
                    throw new ShellException("option --uuid needs a value");
                }
                uuid = Optional.of(words.get(++i));
            } else if (w.startsWith("--uuid=")) {
                uuid = Optional.of(w.substring("--uuid=".length()));
            } else if (w.startsWith("--") && BUILTINS.contains(command)) {
                // git-annex's common options (--debug, --quiet...) change nothing here.
                continue;
            } else {
                positional.add(w);
            }
        }
        Optional<String> dir = positional.isEmpty() ? Optional.empty() : Optional.of(positional.remove(0));
        return new ShellCommandLine(command, dir, List.copyOf(positional), uuid);
    }

    /** @return true for a command git-annex-shell itself handles */
    public boolean isBuiltin() {
        return BUILTINS.contains(command);
    }

    /** @return true for a command passed on to git */
    public boolean isGit() {
        return GIT_COMMANDS.contains(command);
    }

    /** @return true for an old git-annex-shell command that annexhost does not implement */
    public boolean isLegacy() {
        return LEGACY.contains(command);
    }
}
