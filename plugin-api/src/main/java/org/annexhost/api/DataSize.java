package org.annexhost.api;

import java.math.BigDecimal;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Sizes written the way git-annex reads them ({@code Utility.DataUnits}): a number, optionally
 * fractional, then a unit, SI ({@code kB MB GB TB}) or IEC ({@code KiB MiB GiB TiB}), or none for
 * bytes. Units are matched ignoring case, as git-annex does for all but the bit units it also
 * knows (we do not take bits: nobody sizes chunks or parts in them). One reading for the host
 * ({@code chunk=}, preferred content's {@code largerthan=}) and for plugins (S3's
 * {@code partsize=}). Stateless.
 *
 * @since 0.1.1
 */
public final class DataSize {
    private static final Pattern SIZE = Pattern.compile("\\s*([0-9]+(?:\\.[0-9]+)?)\\s*([A-Za-z]*)\\s*");
    private static final Map<String, Long> UNITS = Map.ofEntries(
            Map.entry("", 1L), Map.entry("b", 1L), Map.entry("byte", 1L), Map.entry("bytes", 1L),
            Map.entry("k", 1000L), Map.entry("kb", 1000L), Map.entry("kilobyte", 1000L),
            Map.entry("m", 1000_000L), Map.entry("mb", 1000_000L), Map.entry("megabyte", 1000_000L),
            Map.entry("g", 1000_000_000L), Map.entry("gb", 1000_000_000L), Map.entry("gigabyte", 1000_000_000L),
            Map.entry("t", 1000_000_000_000L), Map.entry("tb", 1000_000_000_000L), Map.entry("terabyte", 1000_000_000_000L),
            Map.entry("kib", 1L << 10), Map.entry("mib", 1L << 20), Map.entry("gib", 1L << 30),
            Map.entry("tib", 1L << 40));

    private DataSize() {
    }

    /**
     * @return the size in bytes
     * @throws IllegalArgumentException naming the text, if it is not a size
     */
    public static long parse(String text) {
        Matcher m = SIZE.matcher(text);
        Long unit = m.matches() ? unit(m.group(2).toLowerCase(Locale.ROOT)) : null;
        if (unit == null) {
            throw new IllegalArgumentException("not a size: \"" + text + "\" (expected e.g. 1MiB, 500kB, 1048576)");
        }
        return new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(unit)).longValue();
    }

    /** A unit's multiplier, its name also in the plural ("megabytes"), as git-annex reads it. */
    private static Long unit(String name) {
        Long unit = UNITS.get(name);
        return unit == null && name.length() > 3 && name.endsWith("s") ? UNITS.get(name.substring(0, name.length() - 1)) : unit;
    }
}
