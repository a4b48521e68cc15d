package org.annexhost.plugins.s3;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real S3-compatible server for the tests: s3proxy with its filesystem storage, run as a
 * separate process on a free loopback port, accepting SigV2 (git-annex's S3 remote) and SigV4
 * (the AWS SDK in this plugin) with one key pair. The one launcher of every module's tests: the
 * host's interop tests use it through this module's test jar. The jar is the one this module's
 * build copies ({@code target/s3proxy/s3proxy.jar}), or where {@code -Ds3proxy.jar=} says; a
 * missing jar fails with how to get it, never skips.
 */
public final class S3ProxyServer implements AutoCloseable {
    /** The access key id. */
    public static final String IDENTITY = "annexhost-test";
    /** The secret access key. */
    public static final String SECRET = "annexhost-test-secret";

    private final int port;
    private final Path basedir;
    private final Path log;
    private Process process;

    private S3ProxyServer(int port, Path basedir, Path log, Process process) {
        this.port = port;
        this.basedir = basedir;
        this.log = log;
        this.process = process;
    }

    /** Starts a server keeping its objects and log under {@code dir}; returns once it listens. */
    public static S3ProxyServer start(Path dir) throws Exception {
        Path jar = jar();
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Path basedir = Files.createDirectories(dir.resolve("s3data"));
        Path props = dir.resolve("s3proxy.properties");
        Files.writeString(props, String.join("\n",
                "s3proxy.endpoint=http://127.0.0.1:" + port,
                "s3proxy.authorization=aws-v2-or-v4",
                "s3proxy.identity=" + IDENTITY,
                "s3proxy.credential=" + SECRET,
                "jclouds.provider=filesystem",
                "jclouds.filesystem.basedir=" + basedir, ""));
        Path log = dir.resolve("s3proxy.log");
        Process p = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xmx256m", "-jar", jar.toString(),
                "--properties", props.toString()))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        S3ProxyServer server = new S3ProxyServer(port, basedir, log, p);
        server.awaitListening(Duration.ofSeconds(60));
        return server;
    }

    private static Path jar() {
        Path jar = Path.of(System.getProperty("s3proxy.jar", "target/s3proxy/s3proxy.jar"));
        if (!Files.isRegularFile(jar)) {
            throw new AssertionError("s3proxy not found at " + jar + ": run `mvn -pl plugins/s3 -am install -DskipTests`"
                    + " (it copies org.gaul:s3proxy:jar-with-dependencies to plugins/s3/target/s3proxy) or pass -Ds3proxy.jar=PATH");
        }
        return jar;
    }

    private void awaitListening(Duration timeout) throws Exception {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new AssertionError("s3proxy exited with " + process.exitValue() + ":\n" + logText());
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                Thread.sleep(100);
            }
        }
        close();
        throw new AssertionError("s3proxy did not listen on port " + port + " within " + timeout + ":\n" + logText());
    }

    /** @return the loopback port it listens on */
    public int port() {
        return port;
    }

    /** @return where the objects are: {@code basedir/BUCKET/OBJECT-NAME} */
    public Path basedir() {
        return basedir;
    }

    /** @return the object's file in the server's storage */
    public Path object(String bucket, String name) {
        return basedir.resolve(bucket).resolve(name);
    }

    /** The key pair, as the environment git-annex (and the plugin) read it from. */
    public static Map<String, String> credentials() {
        return Map.of("AWS_ACCESS_KEY_ID", IDENTITY, "AWS_SECRET_ACCESS_KEY", SECRET);
    }

    /** A remote's configuration for this server, as git-annex would keep it, plus {@code extra} pairs. */
    public Map<String, String> config(String bucket, String... extra) {
        Map<String, String> c = new HashMap<>(Map.of("type", "S3", "encryption", "none", "bucket", bucket,
                "host", "127.0.0.1", "port", Integer.toString(port), "protocol", "http", "requeststyle", "path"));
        for (int i = 0; i + 1 < extra.length; i += 2) {
            c.put(extra[i], extra[i + 1]);
        }
        return c;
    }

    /** initremote parameters for a remote on this server, as git-annex takes them. */
    public List<String> remoteParams(String bucket, String fileprefix, String... extra) {
        List<String> p = new ArrayList<>(List.of("type=S3", "encryption=none", "host=127.0.0.1", "port=" + port,
                "protocol=http", "requeststyle=path", "bucket=" + bucket, "fileprefix=" + fileprefix));
        p.addAll(List.of(extra));
        return p;
    }

    /** @return what the server logged, for a failing assertion's message */
    public String logText() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(s3proxy log unreadable: " + e + ")";
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null) {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
            process = null;
        }
    }
}
