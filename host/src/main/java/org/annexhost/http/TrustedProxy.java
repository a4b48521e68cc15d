package org.annexhost.http;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.annexhost.access.Right;
import org.eclipse.jetty.server.Request;

/**
 * Trusted-proxy mode, for a forge that authenticates its users itself and reverse-proxies to one
 * {@code annexhost serve} for all its repositories: a request from the forge names its user in
 * {@code X-Forwarded-User} and may give the right for the request's repository in
 * {@code X-Annexhost-Access} (none, read, append, full; without it the host's grants decide).
 * Only connections on the unix socket ({@code --trusted-proxy} with {@code --socket}) or from the
 * listed addresses ({@code --trusted-proxy=ADDR,...}) are the forge; from anywhere else the
 * headers are ignored, and the attempt is logged. Immutable.
 *
 * @param socket whether every connection on the unix socket is the forge
 * @param addresses the forge's addresses
 */
public record TrustedProxy(boolean socket, Set<InetAddress> addresses) {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(TrustedProxy.class);
    /** The header naming the forge's user. */
    public static final String USER = "X-Forwarded-User";
    /** The header giving the forge's decision for the request's repository. */
    public static final String ACCESS = "X-Annexhost-Access";

    /** Copies the addresses. */
    public TrustedProxy {
        addresses = Set.copyOf(addresses);
    }

    /** @return no proxy trusted: the headers are never believed */
    public static TrustedProxy none() {
        return new TrustedProxy(false, Set.of());
    }

    /**
     * @param spec empty for the unix socket, else comma-separated addresses
     * @throws IllegalArgumentException naming an address that does not resolve
     */
    public static TrustedProxy parse(String spec) {
        if (spec.isBlank()) {
            return new TrustedProxy(true, Set.of());
        }
        java.util.Set<InetAddress> out = new java.util.HashSet<>();
        for (String a : spec.split(",")) {
            try {
                out.add(InetAddress.getByName(a.strip()));
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException("--trusted-proxy: not an address: " + a.strip());
            }
        }
        return new TrustedProxy(false, out);
    }

    /**
     * What the forge says of a request.
     *
     * @param user the forge's user, or empty for its anonymous visitor
     * @param access the forge's decision for the repository, if it gave one
     */
    public record Forwarded(Optional<String> user, Optional<Right> access) {
    }

    /**
     * @return what the forge says, if the request came from the forge and says anything;
     *     headers from anyone else are logged and ignored
     * @throws IllegalArgumentException for an access header that names no right
     */
    Optional<Forwarded> of(Request request) {
        String user = request.getHeaders().get(USER);
        String access = request.getHeaders().get(ACCESS);
        if (user == null && access == null) {
            return Optional.empty();
        }
        java.net.SocketAddress remote = request.getConnectionMetaData().getRemoteSocketAddress();
        boolean trusted = remote instanceof java.net.InetSocketAddress inet ? addresses.contains(inet.getAddress()) : socket;
        if (!trusted) {
            LOG.warn("ignored {}/{} from {}, which is not a trusted proxy: {} {}", USER, ACCESS, P2pHttpServer.client(request),
                    request.getMethod(), Request.getPathInContext(request));
            return Optional.empty();
        }
        Optional<String> u = Optional.ofNullable(user).map(String::strip).filter(s -> !s.isEmpty());
        return Optional.of(new Forwarded(u, Optional.ofNullable(access).map(Right::parse)));
    }

    /** @return whether any proxy is trusted */
    public boolean any() {
        return socket || !addresses.isEmpty();
    }

    @Override
    public String toString() {
        return socket ? "the unix socket" : String.join(",", addresses.stream().map(InetAddress::getHostAddress).sorted().toList());
    }

    static List<String> headers() {
        return List.of(USER, ACCESS);
    }
}
