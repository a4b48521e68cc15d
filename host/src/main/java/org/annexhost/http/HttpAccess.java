package org.annexhost.http;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import org.annexhost.p2p.server.ServerMode;

/**
 * Who may do what over HTTP, as {@code git annex p2phttp} decides it: unauthenticated users get
 * nothing, read-only or append-only access (and maybe no locking); users log in with Basic auth
 * (realm {@code git-annex}) with the passwords and permissions of {@code --authenv}
 * ({@code GIT_ANNEX_P2PHTTP_PASSWORD_name}, {@code GIT_ANNEX_P2PHTTP_PERMISSIONS_name}), over
 * HTTPS only unless {@code --authenv-http}. With no policy chosen and a loopback bind, everything
 * is open to the local machine. Immutable and thread-safe; never shows a password.
 *
 * @param unauthenticated what anonymous requests may do
 * @param unauthenticatedMayLock false with --unauth-nolocking
 * @param users name to password and permission
 * @param authOverHttp whether credentials are accepted on plain HTTP
 * @param explicit whether an access policy was chosen on the command line
 */
public record HttpAccess(Permission unauthenticated, boolean unauthenticatedMayLock, Map<String, User> users,
                         boolean authOverHttp, boolean explicit) {
    /** What a request may do; each includes the ones before it. */
    public enum Permission {
        NONE, READ, APPEND, FULL;

        /** @return the protocol's server mode for this permission: what the request's conversation is served at */
        ServerMode serverMode() {
            return switch (this) {
                case NONE, READ -> ServerMode.READ_ONLY;
                case APPEND -> ServerMode.APPEND_ONLY;
                case FULL -> ServerMode.READ_WRITE;
            };
        }
    }

    /** The outcome of checking a request. */
    public enum Verdict { ALLOWED, UNAUTHORIZED, FORBIDDEN }

    /** A user's password and permission. */
    public record User(String password, Permission permission) {
        @Override
        public String toString() {
            return "User[password=<redacted>, permission=" + permission + "]";
        }
    }

    /** Copies the users. */
    public HttpAccess {
        users = Map.copyOf(users);
    }

    /** @return everything allowed to everyone (loopback default, or --wideopen) */
    public static HttpAccess open(boolean explicit) {
        return new HttpAccess(Permission.FULL, true, Map.of(), false, explicit);
    }

    /** @return these rules with another permission for unauthenticated users (a repository's own rule) */
    public HttpAccess withUnauthenticated(Permission p) {
        return new HttpAccess(p, unauthenticatedMayLock, users, authOverHttp, true);
    }

    /**
     * @return the users --authenv describes in this environment
     * @throws IllegalArgumentException for a permission git-annex does not know, or an empty password
     */
    public static Map<String, User> usersFromEnvironment(Map<String, String> env) {
        Map<String, User> out = new java.util.TreeMap<>();
        String prefix = "GIT_ANNEX_P2PHTTP_PASSWORD_";
        env.forEach((k, v) -> {
            if (k.startsWith(prefix) && k.length() > prefix.length()) {
                String name = k.substring(prefix.length());
                String p = env.getOrDefault("GIT_ANNEX_P2PHTTP_PERMISSIONS_" + name, "");
                Permission perm = switch (p) {
                    case "" -> Permission.FULL;
                    case "readonly" -> Permission.READ;
                    case "appendonly" -> Permission.APPEND;
                    default -> throw new IllegalArgumentException("GIT_ANNEX_P2PHTTP_PERMISSIONS_" + name + "=" + p
                            + ": expected readonly or appendonly");
                };
                if (v.isEmpty()) {
                    // git-annex would let this user in with no password and full rights.
                    throw new IllegalArgumentException(k + " is empty: a user needs a password (set one, or unset it)");
                }
                out.put(name, new User(v, perm));
            }
        });
        return out;
    }

    /**
     * @param authorization the request's Authorization header, if any
     * @param needed what the request needs
     * @param lock whether the request locks content
     * @param secure whether it arrived over HTTPS
     */
    public Verdict check(Optional<String> authorization, Permission needed, boolean lock, boolean secure) {
        boolean anonymousOk = unauthenticated.compareTo(needed) >= 0 && (!lock || unauthenticatedMayLock);
        if (authorization.isEmpty()) {
            return anonymousOk ? Verdict.ALLOWED : users.isEmpty() ? Verdict.FORBIDDEN : Verdict.UNAUTHORIZED;
        }
        Optional<User> user = user(authorization, secure);
        if (user.isEmpty()) {
            return anonymousOk ? Verdict.ALLOWED : Verdict.UNAUTHORIZED;
        }
        return user.get().permission().compareTo(needed) >= 0 ? Verdict.ALLOWED : Verdict.FORBIDDEN;
    }

    /**
     * The request's rights as the protocol's server mode, decided once per request as git-annex
     * does ({@code checkAuthActionClass}): the conversation serving an allowed request runs at
     * this mode, so the server refuses what the rights do not cover even if asked.
     *
     * @param authorization the request's Authorization header, if any
     * @param secure whether it arrived over HTTPS
     */
    public ServerMode rights(Optional<String> authorization, boolean secure) {
        return user(authorization, secure).map(User::permission).orElse(unauthenticated).serverMode();
    }

    /** @return the user the credentials name, if they are right and may be used on this connection */
    private Optional<User> user(Optional<String> authorization, boolean secure) {
        return userName(authorization, secure).map(users::get);
    }

    /**
     * @return the name of the user the credentials log in, if they are right and may be used on
     *     this connection (for the logs: never the password)
     */
    public Optional<String> userName(Optional<String> authorization, boolean secure) {
        if (authorization.isEmpty() || (!secure && !authOverHttp)) {
            return Optional.empty();
        }
        return login(authorization.get());
    }

    private Optional<String> login(String header) {
        if (!header.regionMatches(true, 0, "Basic ", 0, 6)) {
            return Optional.empty();
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        int colon = decoded.indexOf(':');
        if (colon < 0) {
            return Optional.empty();
        }
        String name = decoded.substring(0, colon);
        User u = users.get(name);
        if (u == null || !MessageDigest.isEqual(decoded.substring(colon + 1).getBytes(StandardCharsets.UTF_8),
                u.password().getBytes(StandardCharsets.UTF_8))) {
            return Optional.empty();
        }
        return Optional.of(name);
    }
}
