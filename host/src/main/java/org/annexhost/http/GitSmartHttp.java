package org.annexhost.http;

import org.annexhost.access.Right;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.annexhost.p2p.server.ServerMode;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content.Sink;
import org.eclipse.jetty.io.Content.Source;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * git's smart HTTP for the served repositories, on the same port as the annex API, by running
 * {@code git http-backend} as a CGI program per request. Also serves each repository's
 * {@code config} with {@code annex.url} pointing at this server, which is how a git-annex client
 * that cloned the http url finds the annex API by itself. Thread-safe.
 */
final class GitSmartHttp {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(GitSmartHttp.class);
    private final Map<String, HttpRepository> repositories;
    private final Optional<String> publicUrl;

    private final TrustedProxy trustedProxy;

    private final Operations operations;

    GitSmartHttp(Map<String, HttpRepository> repositories, Optional<String> publicUrl, TrustedProxy trustedProxy,
                 Operations operations) {
        this.trustedProxy = trustedProxy;
        this.operations = operations;
        this.repositories = repositories;
        this.publicUrl = publicUrl;
    }

    boolean handle(Request request, Response response, Callback callback) throws IOException {
        String path = Request.getPathInContext(request);
        String[] s = path.split("/", 3);
        if (s.length < 3 || !repositories.containsKey(s[1])) {
            return false;
        }
        HttpRepository repo = repositories.get(s[1]);
        String rest = "/" + s[2];
        boolean push = rest.endsWith("/git-receive-pack") || "service=git-receive-pack".equals(request.getHttpURI().getQuery());
        Optional<String> auth = Optional.ofNullable(request.getHeaders().get(HttpHeader.AUTHORIZATION));
        HttpAccess.Decision decision;
        try {
            decision = repo.access().decide(auth, request.isSecure(), trustedProxy.of(request));
        } catch (IllegalArgumentException badHeader) {
            HttpReplies.text(response, callback, 400, TrustedProxy.ACCESS + ": " + badHeader.getMessage());
            return true;
        }
        decision.userName().ifPresent(u -> request.setAttribute(ApiActivity.USER, u));
        HttpAccess.Verdict verdict = repo.access().check(decision, push ? Right.APPEND : Right.READ, false);
        // An append-only user pushes as an append-only ssh client does: refs only move forward.
        ServerMode mode = decision.right().serverMode();
        if (verdict != HttpAccess.Verdict.ALLOWED) {
            LOG.info("refused git {} of {}: {} has {} here", push ? "push" : "fetch", s[1],
                    decision.userName().orElse("anonymous"), decision.right().word());
            org.annexhost.activity.Activity activity = operations.activity();
            activity.changed(new org.annexhost.activity.Change(activity.now(), (String) request.getAttribute(P2pHttpServer.REQUEST_ID),
                    "http", decision.userName().orElse("anonymous"), P2pHttpServer.client(request),
                    org.annexhost.activity.Place.repository(repo.name(), repo.gitDir()), "",
                    push ? org.annexhost.activity.Change.Operation.PUSH : org.annexhost.activity.Change.Operation.FETCH,
                    org.annexhost.activity.Change.Result.REFUSED, 0,
                    verdict == HttpAccess.Verdict.UNAUTHORIZED ? "authentication required" : "not allowed: git " + (push ? "push" : "fetch")));
            if (verdict == HttpAccess.Verdict.UNAUTHORIZED) {
                response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Basic realm=\"git-annex\", charset=\"UTF-8\"");
            }
            HttpReplies.text(response, callback, verdict == HttpAccess.Verdict.UNAUTHORIZED ? 401 : 403, "not allowed");
            return true;
        }
        if (rest.equals("/config")) {
            serveConfig(request, response, callback, repo);
            return true;
        }
        if (!push) {
            // A fetch right after a copy must see the location records the copy journalled.
            repo.branch().commit();
        }
        runBackend(request, response, callback, repo, rest, push ? Optional.of(mode) : Optional.empty());
        return true;
    }

    private void serveConfig(Request request, Response response, Callback callback, HttpRepository repo) {
        String base = publicUrl.orElseGet(() -> "http://" + request.getHeaders().get(HttpHeader.HOST));
        String annexBase = "annex+" + base.replaceAll("/+$", "") + "/git-annex/";
        String config = "[core]\n\tbare = true\n[annex]\n\tuuid = " + repo.uuid() + "\n\tversion = 10\n\turl = " + annexBase + "\n";
        response.setStatus(200);
        byte[] b = config.getBytes(StandardCharsets.UTF_8);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain");
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, Long.toString(b.length));
        response.write(true, java.nio.ByteBuffer.wrap(b), callback);
    }

    private void runBackend(Request request, Response response, Callback callback, HttpRepository repo, String rest,
                            Optional<ServerMode> push) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("git", "-c", "http.receivepack=" + push.isPresent()));
        push.ifPresent(m -> cmd.addAll(m.receivePackSettings()));
        cmd.add("http-backend");
        ProcessBuilder pb = new ProcessBuilder(cmd);
        Map<String, String> env = pb.environment();
        env.put("GIT_PROJECT_ROOT", repo.gitDir().getParent().toString());
        env.put("GIT_HTTP_EXPORT_ALL", "1");
        env.put("PATH_INFO", "/" + repo.gitDir().getFileName() + rest);
        env.put("REQUEST_METHOD", request.getMethod());
        env.put("QUERY_STRING", Optional.ofNullable(request.getHttpURI().getQuery()).orElse(""));
        env.put("REMOTE_ADDR", Request.getRemoteAddr(request));
        Optional.ofNullable(request.getHeaders().get(HttpHeader.CONTENT_TYPE)).ifPresent(v -> env.put("CONTENT_TYPE", v));
        Optional.ofNullable(request.getHeaders().get(HttpHeader.CONTENT_ENCODING)).ifPresent(v -> env.put("HTTP_CONTENT_ENCODING", v));
        Optional.ofNullable(request.getHeaders().get("Git-Protocol")).ifPresent(v -> env.put("GIT_PROTOCOL", v));
        long length = request.getLength();
        if (length >= 0) {
            env.put("CONTENT_LENGTH", Long.toString(length));
        }
        pb.redirectError(ProcessBuilder.Redirect.DISCARD);
        Process p = pb.start();
        CompletableFuture<Void> feed = CompletableFuture.runAsync(() -> {
            try (InputStream in = Source.asInputStream(request); OutputStream out = p.getOutputStream()) {
                in.transferTo(out);
            } catch (IOException ignored) {
                // git ends the conversation
            }
        });
        try (InputStream out = new BufferedInputStream(p.getInputStream())) {
            int status = 200;
            String line;
            while (!(line = headerLine(out)).isEmpty()) {
                int colon = line.indexOf(':');
                if (colon <= 0) {
                    continue;
                }
                String name = line.substring(0, colon).trim();
                String value = line.substring(colon + 1).trim();
                if (name.equalsIgnoreCase("Status")) {
                    status = Integer.parseInt(value.split(" ")[0]);
                } else {
                    response.getHeaders().add(name, value);
                }
            }
            response.setStatus(status);
            try (OutputStream body = Sink.asOutputStream(response)) {
                out.transferTo(body);
            }
            callback.succeeded();
        } finally {
            feed.cancel(true);
            p.destroy();
        }
    }

    private static String headerLine(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0 && c != '\n') {
            if (b.size() > 8192) {
                throw new IOException("git http-backend sent an over-long header line");
            }
            if (c != '\r') {
                b.write(c);
            }
        }
        return b.toString(StandardCharsets.UTF_8);
    }
}
