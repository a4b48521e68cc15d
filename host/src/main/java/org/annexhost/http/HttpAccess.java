package org.annexhost.http;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Optional;

/**
 * Who may do what over HTTP, as {@code git annex p2phttp} decides it: unauthenticated users get
 * nothing, read-only or append-only access; a user who logs in with the configured name and
 * password (Basic auth, realm {@code git-annex}) gets full access. With no policy chosen and a
 * loopback bind, everything is open to the local machine. Immutable and thread-safe.
 *
 * @param unauthenticated what anonymous requests may do
 * @param user the configured user name, if any
 * @param password the configured password, if any
 * @param explicit whether an access policy was chosen on the command line
 */
public record HttpAccess(Permission unauthenticated, Optional<String> user, Optional<String> password, boolean explicit) {
    /** What a request may do; each includes the ones before it. */
    public enum Permission { NONE, READ, APPEND, FULL }

    /** The outcome of checking a request. */
    public enum Verdict { ALLOWED, UNAUTHORIZED, FORBIDDEN }

    /** @return everything allowed to everyone (loopback default, or --wideopen) */
    public static HttpAccess open(boolean explicit) {
        return new HttpAccess(Permission.FULL, Optional.empty(), Optional.empty(), explicit);
    }

    @Override
    public String toString() {
        return "HttpAccess[unauthenticated=" + unauthenticated + ", user=" + user.orElse("-") + ", password=<redacted>]";
    }

    /**
     * @param authorization the request's Authorization header, if any
     * @param needed what the request needs
     */
    public Verdict check(Optional<String> authorization, Permission needed) {
        if (unauthenticated.compareTo(needed) >= 0) {
            return Verdict.ALLOWED;
        }
        if (authorization.isEmpty()) {
            return Verdict.UNAUTHORIZED;
        }
        if (user.isEmpty() || !matches(authorization.get())) {
            return user.isEmpty() ? Verdict.FORBIDDEN : Verdict.UNAUTHORIZED;
        }
        return Verdict.ALLOWED;
    }

    private boolean matches(String header) {
        if (!header.regionMatches(true, 0, "Basic ", 0, 6)) {
            return false;
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return false;
        }
        String expected = user.get() + ":" + password.orElse("");
        return MessageDigest.isEqual(decoded.getBytes(StandardCharsets.UTF_8), expected.getBytes(StandardCharsets.UTF_8));
    }
}
