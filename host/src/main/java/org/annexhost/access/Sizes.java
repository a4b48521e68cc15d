package org.annexhost.access;

import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Sizes as git-annex writes them: {@code 10GB}, {@code 512MiB}, {@code 1.5 terabytes}, or bytes.
 * Decimal units are powers of 1000 and binary ones of 1024, as in git-annex; formatted decimal
 * with three significant digits ({@code 1.23 GB}), as {@code git annex info} shows them.
 */
public final class Sizes {
    private static final Pattern SIZE = Pattern.compile("([0-9]+(?:\\.[0-9]+)?)\\s*([a-z]*)");
    private static final Map<String, Long> UNITS = Map.ofEntries(
            Map.entry("", 1L), Map.entry("b", 1L), Map.entry("byte", 1L), Map.entry("bytes", 1L),
            Map.entry("kb", 1000L), Map.entry("kilobyte", 1000L), Map.entry("kilobytes", 1000L),
            Map.entry("mb", 1000L * 1000), Map.entry("megabyte", 1000L * 1000), Map.entry("megabytes", 1000L * 1000),
            Map.entry("gb", 1000L * 1000 * 1000), Map.entry("gigabyte", 1000L * 1000 * 1000),
            Map.entry("gigabytes", 1000L * 1000 * 1000),
            Map.entry("tb", 1000L * 1000 * 1000 * 1000), Map.entry("terabyte", 1000L * 1000 * 1000 * 1000),
            Map.entry("terabytes", 1000L * 1000 * 1000 * 1000),
            Map.entry("kib", 1024L), Map.entry("mib", 1024L * 1024), Map.entry("gib", 1024L * 1024 * 1024),
            Map.entry("tib", 1024L * 1024 * 1024 * 1024));
    private static final String[] SHOWN = {"B", "kB", "MB", "GB", "TB", "PB"};

    private Sizes() {
    }

    /**
     * @return the size in bytes
     * @throws IllegalArgumentException for anything else, with what is understood
     */
    public static long parse(String text) {
        Matcher m = SIZE.matcher(text.strip().toLowerCase(Locale.ROOT));
        Long unit = m.matches() ? UNITS.get(m.group(2)) : null;
        if (unit == null) {
            throw new IllegalArgumentException("not a size: '" + text + "' (say e.g. 10GB, 512MiB or 1000000)");
        }
        double v = Double.parseDouble(m.group(1)) * unit;
        if (v >= Long.MAX_VALUE) {
            throw new IllegalArgumentException("too big a size: " + text);
        }
        return (long) v;
    }

    /** @return the size as git-annex shows it */
    public static String format(long bytes) {
        if (bytes < 1000) {
            return bytes + " bytes";
        }
        double v = bytes;
        int i = 0;
        while (v >= 1000 && i < SHOWN.length - 1) {
            v /= 1000;
            i++;
        }
        String n = v >= 100 ? String.format(Locale.ROOT, "%.0f", v) : v >= 10 ? String.format(Locale.ROOT, "%.1f", v)
                : String.format(Locale.ROOT, "%.2f", v);
        return n + " " + SHOWN[i];
    }
}
