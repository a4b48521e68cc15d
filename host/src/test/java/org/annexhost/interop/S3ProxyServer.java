package org.annexhost.interop;

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
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real S3-compatible server for interop tests: s3proxy with its filesystem storage, run as a
 * separate process on a free loopback port, accepting SigV2 (git-annex's S3 remote) and SigV4
 * (the AWS SDK in annexhost's plugin) with one key pair. The jar is the one the S3 plugin's build
 * copies ({@code plugins/s3/target/s3proxy/s3proxy.jar}) or {@code -Ds3proxy.jar=}; a missing jar
 * fails with how to get it, never skips.
 */
final class S3ProxyServer implements AutoCloseable {
    static final String IDENTITY = "annexhost-interop";
    static final String SECRET = "annexhost-interop-secret";

    final int port;
    /** Where the objects are: {@code basedir/BUCKET/OBJECT-NAME}. */
    final Path basedir;
    private final Path log;
    private final Process process;

    private S3ProxyServer(int port, Path basedir, Path log, Process process) {
        this.port = port;
        this.basedir = basedir;
        this.log = log;
        this.process = process;
    }

    static S3ProxyServer start(Path dir) throws Exception {
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
        String given = System.getProperty("s3proxy.jar");
        Path jar;
        if (given != null) {
            jar = Path.of(given);
        } else {
            Path launcher = Path.of(System.getProperty("annexhost.launcher", "../annexhost")).toAbsolutePath().normalize();
            jar = launcher.getParent().resolve("plugins/s3/target/s3proxy/s3proxy.jar");
        }
        if (!Files.isRegularFile(jar)) {
            throw new AssertionError("s3proxy not found at " + jar + ": run `mvn -pl plugins/s3 -am install -DskipTests`"
                    + " (it copies org.gaul:s3proxy:jar-with-dependencies there) or pass -Ds3proxy.jar=PATH");
        }
        return jar;
    }

    private void awaitListening(Duration timeout) throws Exception {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new AssertionError("s3proxy exited with " + process.exitValue() + ":\n" + Files.readString(log));
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                Thread.sleep(100);
            }
        }
        close();
        throw new AssertionError("s3proxy did not listen on " + port + " within " + timeout + ":\n" + Files.readString(log));
    }

    /** The environment git-annex (and annexhost's initremote) read the key pair from. */
    static Map<String, String> credentials() {
        return Map.of("AWS_ACCESS_KEY_ID", IDENTITY, "AWS_SECRET_ACCESS_KEY", SECRET);
    }

    /** initremote parameters for a remote on this server, as git-annex takes them. */
    List<String> remoteParams(String bucket, String fileprefix, String... extra) {
        List<String> p = new ArrayList<>(List.of("type=S3", "encryption=none", "host=127.0.0.1", "port=" + port,
                "protocol=http", "requeststyle=path", "bucket=" + bucket, "fileprefix=" + fileprefix));
        p.addAll(List.of(extra));
        return p;
    }

    /** @return the object's file in the server's storage */
    Path object(String bucket, String name) {
        return basedir.resolve(bucket).resolve(name);
    }

    String logText() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(s3proxy log unreadable: " + e + ")";
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }
}
