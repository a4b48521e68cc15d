package org.annexhost.fuzz;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What a fuzz run counted and what it found: inputs sent, by kind, and every broken invariant with
 * the input that broke it. A run is clean when nothing was found. Thread-safe.
 */
public final class FuzzFindings {
    /** Text a client must never see: a Java stack trace or exception name. */
    static final Pattern STACK_TRACE = Pattern.compile("(\\tat [a-z]|Exception\\b|^\\s+at org\\.|java\\.lang\\.)",
            Pattern.MULTILINE);

    private final Map<String, Long> counts = new LinkedHashMap<>();
    private final List<String> violations = new ArrayList<>();

    /** Counts n of something, e.g. "p2p lines". */
    public synchronized void count(String what, long n) {
        counts.merge(what, n, Long::sum);
    }

    /** @return the count of something so far */
    public synchronized long get(String what) {
        return counts.getOrDefault(what, 0L);
    }

    /** Records a broken invariant; the first 200 are kept in full. */
    public synchronized void violation(String invariant, String detail) {
        counts.merge("violations: " + invariant, 1L, Long::sum);
        if (violations.size() < 200) {
            violations.add(invariant + ": " + detail);
        }
    }

    /** Checks text a client received for stack traces. */
    public void checkClientText(String where, String text) {
        if (STACK_TRACE.matcher(text).find()) {
            violation("stack trace to the client", where + ": " + abbreviate(text));
        }
    }

    /** @return the broken invariants, in the order found */
    public synchronized List<String> violations() {
        return List.copyOf(violations);
    }

    /** @return true if no invariant broke */
    public synchronized boolean clean() {
        return violations.isEmpty();
    }

    /** Prints the counts, then the violations. */
    public synchronized void print(PrintStream out) {
        counts.forEach((k, v) -> out.printf("%-44s %,12d%n", k, v));
        if (violations.isEmpty()) {
            out.println("no invariant broke");
        } else {
            out.println(violations.size() + " violations:");
            violations.forEach(v -> out.println("  " + v));
        }
    }

    static String abbreviate(String s) {
        String one = s.replace("\n", "\\n").replace("\r", "\\r");
        return one.length() > 300 ? one.substring(0, 300) + "..." : one;
    }
}
