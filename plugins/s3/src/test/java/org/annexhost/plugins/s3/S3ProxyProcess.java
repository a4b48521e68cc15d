package org.annexhost.plugins.s3;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A real s3proxy (filesystem storage, SigV2 or SigV4 authentication) run as a separate process
 * on a free loopback port, for the tests. The jar comes from the build (system property
 * {@code s3proxy.jar}, copied by maven-dependency-plugin); a missing jar fails with how to get it.
 */
final class S3ProxyProcess implements AutoCloseable {
    static final String IDENTITY = "annexhost-test";
    static final String CREDENTIAL = "annexhost-test-secret";

    final int port;
    final Path basedir;
    private final Path log;
    private Process process;

    private S3ProxyProcess(int port, Path basedir, Path log, Process process) {
        this.port = port;
        this.basedir = basedir;
        this.log = log;
        this.process = process;
    }

    static S3ProxyProcess start(Path dir) throws Exception {
        String jar = System.getProperty("s3proxy.jar", "target/s3proxy/s3proxy.jar");
        if (!Files.isRegularFile(Path.of(jar))) {
            throw new AssertionError("s3proxy jar not found at " + jar
                    + ": build with maven (mvn -pl plugins/s3 test copies org.gaul:s3proxy:jar-with-dependencies there)");
        }
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Path basedir = Files.createDirectories(dir.resolve("s3data"));
        Path props = dir.resolve("s3proxy.properties");
        Files.writeString(props, String.join("\n",
                "s3proxy.endpoint=http://127.0.0.1:" + port,
                "s3proxy.authorization=aws-v2-or-v4",
                "s3proxy.identity=" + IDENTITY,
                "s3proxy.credential=" + CREDENTIAL,
                "jclouds.provider=filesystem",
                "jclouds.filesystem.basedir=" + basedir, ""));
        Path log = dir.resolve("s3proxy.log");
        Process p = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xmx256m", "-jar", jar, "--properties", props.toString()))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        S3ProxyProcess server = new S3ProxyProcess(port, basedir, log, p);
        server.awaitListening(Duration.ofSeconds(60));
        return server;
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
        throw new AssertionError("s3proxy did not listen on port " + port + " within " + timeout + ":\n" + Files.readString(log));
    }

    /** A remote's configuration for this server, as git-annex would write it, plus {@code extra}. */
    Map<String, String> config(String bucket, String... extra) {
        Map<String, String> c = new java.util.HashMap<>(Map.of("type", "S3", "encryption", "none", "bucket", bucket,
                "host", "127.0.0.1", "port", Integer.toString(port), "protocol", "http", "requeststyle", "path"));
        for (int i = 0; i + 1 < extra.length; i += 2) {
            c.put(extra[i], extra[i + 1]);
        }
        return c;
    }

    /** The credentials, as the environment git-annex reads them from. */
    static Map<String, String> environment() {
        return Map.of("AWS_ACCESS_KEY_ID", IDENTITY, "AWS_SECRET_ACCESS_KEY", CREDENTIAL);
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null) {
            process.destroy();
            if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
            process = null;
        }
    }
}
