package org.annexhost.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads a running host's {@code /metrics} and the samples in it, for tests. */
public final class Metrics {
    /** A sample line: a name, optional labels, a value, an optional timestamp (text format 0.0.4). */
    private static final Pattern SAMPLE = Pattern.compile(
            "[a-zA-Z_:][a-zA-Z0-9_:]*(\\{([a-zA-Z_][a-zA-Z0-9_]*=\"([^\"\\\\]|\\\\.)*\",?)*\\})? "
                    + "(-?[0-9.]+([eE][-+]?[0-9]+)?|NaN|[+-]Inf)( -?[0-9]+)?");

    private Metrics() {
    }

    /**
     * @param url any url of the server (its scheme, host and port are used)
     * @return the exposition, checked to parse
     */
    public static String scrape(String url) throws Exception {
        URI u = URI.create(url);
        HttpResponse<String> r = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build().send(
                HttpRequest.newBuilder(new URI(u.getScheme(), null, u.getHost(), u.getPort(), "/metrics", null, null))
                        .timeout(Duration.ofSeconds(20)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("GET /metrics: %s", r.body()).isEqualTo(200);
        assertParses(r.body());
        return r.body();
    }

    /** Asserts that every line is a HELP, a TYPE or a sample line. */
    public static void assertParses(String exposition) {
        assertThat(exposition).isNotBlank();
        for (String line : exposition.split("\n")) {
            if (line.startsWith("# HELP ") || line.startsWith("# TYPE ")) {
                continue;
            }
            Matcher m = SAMPLE.matcher(line);
            assertThat(m.matches()).as("a Prometheus sample line: %s", line).isTrue();
        }
    }

    /** @return the sum of the samples of this name whose labels include all of these (0 if none) */
    public static double sum(String exposition, String name, String... labels) {
        double total = 0;
        for (String line : exposition.split("\n")) {
            if (!line.startsWith(name + "{") && !line.startsWith(name + " ")) {
                continue;
            }
            boolean all = true;
            for (String l : labels) {
                all &= line.contains(l);
            }
            if (all) {
                total += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return total;
    }
}
