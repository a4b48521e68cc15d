package org.annexhost.plugins.s3;

import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Sizes as git-annex reads them for {@code partsize=} ({@code Utility/DataUnits.hs}): a number and
 * an optional unit, SI ({@code kB}, {@code MB}, ...) or binary ({@code KiB}, {@code MiB}, ...), in
 * any case. Stateless.
 */
final class DataSize {
    private static final Pattern SIZE = Pattern.compile("\\s*([0-9]+(?:\\.[0-9]+)?)\\s*([a-z]*)\\s*");
    private static final Map<String, Long> UNITS = Map.ofEntries(
            Map.entry("", 1L), Map.entry("b", 1L), Map.entry("byte", 1L), Map.entry("bytes", 1L),
            Map.entry("k", 1000L), Map.entry("kb", 1000L), Map.entry("kib", 1L << 10),
            Map.entry("m", 1000_000L), Map.entry("mb", 1000_000L), Map.entry("mib", 1L << 20),
            Map.entry("g", 1000_000_000L), Map.entry("gb", 1000_000_000L), Map.entry("gib", 1L << 30),
            Map.entry("t", 1000_000_000_000L), Map.entry("tb", 1000_000_000_000L), Map.entry("tib", 1L << 40));

    private DataSize() {
    }

    /**
     * @return the size in bytes
     * @throws IllegalArgumentException if it is not a size
     */
    static long parse(String text) {
        Matcher m = SIZE.matcher(text.toLowerCase(Locale.ROOT));
        if (!m.matches() || !UNITS.containsKey(m.group(2))) {
            throw new IllegalArgumentException("not a size: " + text);
        }
        return (long) (Double.parseDouble(m.group(1)) * UNITS.get(m.group(2)));
    }
}
