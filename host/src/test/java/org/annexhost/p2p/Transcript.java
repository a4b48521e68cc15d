package org.annexhost.p2p;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A protocol conversation written as text: {@code >} lines the client sends, {@code <} lines the
 * server must answer, {@code @} setup and {@code !} expectations about the store afterwards.
 * DATA payloads are written inline as {@code DATA 5 «hello»}; the declared length and the payload
 * may differ, to script truncated and over-long transfers. See transcripts/README.md.
 *
 * @param name the file's path below transcripts/
 * @param steps in order
 * @param only the one transport this transcript is for, if it is transport-specific
 * @param gitAnnexLacks true if the header says git-annex does not behave this way
 */
record Transcript(String name, List<Step> steps, Optional<String> only, boolean gitAnnexLacks) {
    sealed interface Step {
    }

    /** {@code > LINE} or {@code > DATA n «payload»}; {@code \\xHH} in a line is one raw byte. */
    record Send(String line, byte[] payload) implements Step {
        /** @return the line's bytes as the wire carries them */
        byte[] bytes() {
            return lineBytes(line);
        }
    }

    /** {@code >> close}: the client hangs up. */
    record Hangup() implements Step {
    }

    /** {@code < LINE} or {@code < DATA n «payload»}. */
    record Expect(String line, byte[] payload) implements Step {
    }

    /** {@code @verb args}: setup or clock movement. */
    record Setup(String verb, List<String> args) implements Step {
    }

    /** {@code !verb args}: checked against the store once the conversation is over. */
    record Check(String verb, List<String> args) implements Step {
    }

    /** @return every transcript under the test resources' {@code transcripts}, in name order */
    static List<Transcript> loadAll() throws IOException {
        Path root;
        try {
            root = Path.of(Transcript.class.getResource("/transcripts").toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IOException(e);
        }
        List<Transcript> all = new java.util.ArrayList<>();
        try (java.util.stream.Stream<Path> files = java.nio.file.Files.walk(root)) {
            for (Path f : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".txt")).sorted()::iterator) {
                all.add(load(root, f));
            }
        }
        return all;
    }

    static Transcript load(Path root, Path file) throws IOException {
        List<Step> steps = new ArrayList<>();
        Optional<String> only = Optional.empty();
        boolean lacks = false;
        for (String raw : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            if (raw.isBlank()) {
                continue;
            }
            if (raw.startsWith("#")) {
                lacks |= raw.contains("git-annex lacks");
                continue;
            }
            if (raw.startsWith(">> close")) {
                steps.add(new Hangup());
            } else if (raw.startsWith("> ") || raw.equals(">")) {
                String[] lp = linePayload(raw.length() > 2 ? raw.substring(2) : "");
                steps.add(new Send(lp[0], lp[1] == null ? null : unescape(lp[1])));
            } else if (raw.startsWith("< ")) {
                String[] lp = linePayload(raw.substring(2));
                steps.add(new Expect(lp[0], lp[1] == null ? null : unescape(lp[1])));
            } else if (raw.startsWith("@only ")) {
                only = Optional.of(raw.substring(6).trim());
            } else if (raw.startsWith("@")) {
                List<String> w = List.of(raw.substring(1).split(" ", 3));
                steps.add(new Setup(w.get(0), w.subList(1, w.size())));
            } else if (raw.startsWith("!")) {
                List<String> w = List.of(raw.substring(1).split(" ", 3));
                steps.add(new Check(w.get(0), w.subList(1, w.size())));
            } else {
                throw new IllegalArgumentException(file + ": cannot read transcript line: " + raw);
            }
        }
        return new Transcript(root.relativize(file).toString(), steps, only, lacks);
    }

    /** Splits {@code DATA 5 «hello»} into the line and the payload text. */
    private static String[] linePayload(String s) {
        int open = s.indexOf(" «");
        if (s.startsWith("DATA ") && open > 0 && s.endsWith("»")) {
            return new String[] {s.substring(0, open), s.substring(open + 2, s.length() - 1)};
        }
        return new String[] {s, null};
    }

    /** @return the UTF-8 of the line, each {@code \\xHH} written as the byte HH */
    static byte[] lineBytes(String line) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        int start = 0;
        for (int i = line.indexOf("\\x"); i >= 0 && i + 4 <= line.length(); i = line.indexOf("\\x", start)) {
            out.writeBytes(line.substring(start, i).getBytes(StandardCharsets.UTF_8));
            out.write(Integer.parseInt(line.substring(i + 2, i + 4), 16));
            start = i + 4;
        }
        out.writeBytes(line.substring(start).getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    static byte[] unescape(String payload) {
        return payload.replace("\\n", "\n").getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return name;
    }
}
