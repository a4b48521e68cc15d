package org.annexhost.cli;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code annexhost status}: what a running host serves and is doing, the same data as its page at
 * {@code /}, from {@code /status.txt} or {@code /status.json}.
 */
@Command(name = "status",
        description = {"Show what a running host serves and is doing: repositories with their urls, remotes and",
                "clusters with how each last answered, transfers in flight, locks held, recent failures (its page at /)."})
final class StatusCommand implements Callable<Integer> {
    @Option(names = "--url", paramLabel = "URL", description = "the host (default http://127.0.0.1:9417)")
    private String url = "http://127.0.0.1:9417";

    @Option(names = "--repo", paramLabel = "PATH", description = "only this repository (its path, or its name in urls)")
    private Path repo;

    @Option(names = "--json", description = "print JSON instead of text")
    private boolean json;

    @Option(names = "--token-file", paramLabel = "FILE", description = {"the bearer token the host was given",
            "(serve --metrics-token-file), needed from beyond loopback; or ANNEXHOST_METRICS_TOKEN"})
    private Path tokenFile;

    @Override
    public Integer call() throws Exception {
        String query = repo == null ? "" : "?repo=" + java.net.URLEncoder.encode(repo.getFileName().toString(),
                java.nio.charset.StandardCharsets.UTF_8);
        URI uri = URI.create(url.replaceAll("/+$", "") + (json ? "/status.json" : "/status.txt") + query);
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).GET();
        String token = tokenFile != null ? Files.readString(tokenFile).strip() : System.getenv("ANNEXHOST_METRICS_TOKEN");
        if (token != null && !token.isEmpty()) {
            request.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> response;
        try {
            response = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()
                    .send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (java.io.IOException e) {
            System.err.println("annexhost status: no host answers at " + url + " (is annexhost serve running there?)");
            return 1;
        }
        if (response.statusCode() != 200) {
            System.err.println("annexhost status: " + url + " answered " + response.statusCode() + ": " + response.body().strip());
            return 1;
        }
        System.out.print(response.body());
        return 0;
    }
}
