package org.annexhost.http;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;

/**
 * How the HTTP server runs, mirroring {@code git annex p2phttp}'s options where they mean the same.
 * Immutable.
 *
 * @param bind address to listen on
 * @param port port to listen on (9417 by default, as git-annex)
 * @param jobs requests served at once; more wait (bounded) in a queue
 * @param queueWaitSeconds how long a request may wait for a job slot before 503
 * @param access who may do what
 * @param publicUrl the base url clients reach this server at, when behind a reverse proxy
 * @param socket a unix socket to listen on instead of a TCP port
 * @param tls certificate and key for HTTPS
 * @param lockedFiles the most content locks held for clients at once
 * @param proxyConnections idle conversations kept open with each proxied remote (git-annex's
 *     {@code --proxyconnections}); the repositories served themselves keep as many as jobs
 * @param clientIdle the client deadline: a client that sends or reads nothing for this long is cut
 *     off (keeplocked excepted), and an idle kept-alive connection is closed
 * @param trustedProxy whose {@code X-Forwarded-User} and {@code X-Annexhost-Access} are believed
 */
public record HttpOptions(String bind, int port, int jobs, int queueWaitSeconds, HttpAccess access,
                          Optional<String> publicUrl, Optional<java.nio.file.Path> socket, Optional<TlsFiles> tls,
                          int lockedFiles, int proxyConnections, java.time.Duration clientIdle, TrustedProxy trustedProxy) {
    /** The default client deadline. */
    public static final java.time.Duration DEFAULT_CLIENT_IDLE = java.time.Duration.ofSeconds(60);

    /** With the default client deadline. */
    public HttpOptions(String bind, int port, int jobs, int queueWaitSeconds, HttpAccess access,
                       Optional<String> publicUrl, Optional<java.nio.file.Path> socket, Optional<TlsFiles> tls,
                       int lockedFiles, int proxyConnections) {
        this(bind, port, jobs, queueWaitSeconds, access, publicUrl, socket, tls, lockedFiles, proxyConnections,
                DEFAULT_CLIENT_IDLE, TrustedProxy.none());
    }

    /** @return these options, believing this proxy's headers */
    public HttpOptions withTrustedProxy(TrustedProxy proxy) {
        return new HttpOptions(bind, port, jobs, queueWaitSeconds, access, publicUrl, socket, tls, lockedFiles,
                proxyConnections, clientIdle, proxy);
    }

    /** PEM files for HTTPS, as git annex p2phttp takes them. */
    public record TlsFiles(java.nio.file.Path certificate, java.nio.file.Path privateKey, Optional<java.nio.file.Path> chain) {
    }

    /** With git-annex's default of one idle connection per proxied remote. */
    public HttpOptions(String bind, int port, int jobs, int queueWaitSeconds, HttpAccess access, Optional<String> publicUrl,
                       Optional<java.nio.file.Path> socket, Optional<TlsFiles> tls, int lockedFiles) {
        this(bind, port, jobs, queueWaitSeconds, access, publicUrl, socket, tls, lockedFiles, 1);
    }

    /** Plain HTTP on a TCP port, at most 100 locks: the common case. */
    public HttpOptions(String bind, int port, int jobs, int queueWaitSeconds, HttpAccess access, Optional<String> publicUrl) {
        this(bind, port, jobs, queueWaitSeconds, access, publicUrl, Optional.empty(), Optional.empty(), 100);
    }

    /** git-annex's default p2phttp port. */
    public static final int DEFAULT_PORT = 9417;

    /** Refuses an open bind without an explicit access policy. */
    public HttpOptions {
        if (jobs < 1) {
            throw new IllegalArgumentException("--jobs must be at least 1");
        }
        if (clientIdle.isNegative() || clientIdle.isZero()) {
            throw new IllegalArgumentException("the client deadline must be positive");
        }
        if (lockedFiles < 0) {
            throw new IllegalArgumentException("--lockedfiles cannot be negative");
        }
        if (proxyConnections < 0) {
            throw new IllegalArgumentException("--proxyconnections cannot be negative");
        }
        if (trustedProxy.socket() && socket.isEmpty()) {
            throw new IllegalArgumentException("--trusted-proxy without addresses trusts the unix socket: give --socket too, "
                    + "or --trusted-proxy=ADDR,... for a proxy on the network");
        }
        if (socket.isEmpty() && !isLoopback(bind) && !access.explicit()) {
            throw new IllegalArgumentException("refusing to listen on " + bind + " without an access policy: choose one of "
                    + "--wideopen, --unauth-readonly, --unauth-appendonly, --authenv");
        }
    }

    static boolean isLoopback(String bind) {
        try {
            return InetAddress.getByName(bind).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
