package org.annexhost.http;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import org.annexhost.access.Grants;
import org.annexhost.access.HostUsers;
import org.annexhost.access.Quotas;
import org.annexhost.access.Right;

/**
 * Who may do what over HTTP, for one repository or one remote it proxies. Two sources of rights,
 * the wider winning:
 * <ul>
 *   <li>git-annex's own ({@code git annex p2phttp}'s options): unauthenticated users get nothing,
 *       read-only or append-only access (and maybe no locking); {@code --authenv} users
 *       ({@code GIT_ANNEX_P2PHTTP_PASSWORD_name}, {@code GIT_ANNEX_P2PHTTP_PERMISSIONS_name}) log
 *       in with Basic auth (realm {@code git-annex});</li>
 *   <li>the host's ({@link HostUsers} with passwords or tokens, and the repository's
 *       {@link Grants}, per repository and per remote).</li>
 * </ul>
 * Credentials count over HTTPS only, unless {@code --authenv-http} or {@code --auth-http}. With
 * no policy chosen, no host user and no grant, and a loopback bind, everything is open to the
 * local machine. Immutable and thread-safe; never shows a password.
 *
 * @param unauthenticated what anonymous requests may do (git-annex's options)
 * @param unauthenticatedMayLock false with --unauth-nolocking
 * @param users --authenv's users: name to password and permission
 * @param authOverHttp whether credentials are accepted on plain HTTP
 * @param explicit whether an access policy was chosen on the command line
 * @param hostUsers the host's users, if it keeps any
 * @param grants the repository's grants, if it has a file for them
 * @param remote the proxied remote or cluster these rules are for, or empty for the repository
 * @param quotas the repository's quotas, if the host keeps them
 */
public record HttpAccess(Right unauthenticated, boolean unauthenticatedMayLock, Map<String, User> users,
                         boolean authOverHttp, boolean explicit, Optional<HostUsers> hostUsers, Optional<Grants> grants,
                         Optional<String> remote, Optional<Quotas> quotas) {
    /** The outcome of checking a request. */
    public enum Verdict { ALLOWED, UNAUTHORIZED, FORBIDDEN }

    /** An --authenv user's password and permission. */
    public record User(String password, Right permission) {
        @Override
        public String toString() {
            return "User[password=<redacted>, permission=" + permission + "]";
        }
    }

    /** Copies the users. */
    public HttpAccess {
        users = Map.copyOf(users);
    }

    /** git-annex's rules only. */
    public HttpAccess(Right unauthenticated, boolean unauthenticatedMayLock, Map<String, User> users,
                      boolean authOverHttp, boolean explicit) {
        this(unauthenticated, unauthenticatedMayLock, users, authOverHttp, explicit, Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty());
    }

    /** @return everything allowed to everyone (loopback default, or --wideopen) */
    public static HttpAccess open(boolean explicit) {
        return new HttpAccess(Right.FULL, true, Map.of(), false, explicit);
    }

    /** @return these rules with another permission for unauthenticated users (a repository's own rule) */
    public HttpAccess withUnauthenticated(Right p) {
        return new HttpAccess(p, unauthenticatedMayLock, users, authOverHttp, true, hostUsers, grants, remote, quotas);
    }

    /** @return these rules with the host's users and a repository's grants and quotas added */
    public HttpAccess withHostRules(HostUsers hostUsers, Grants grants, Quotas quotas) {
        return new HttpAccess(unauthenticated, unauthenticatedMayLock, users, authOverHttp, explicit,
                Optional.of(hostUsers), Optional.of(grants), remote, Optional.of(quotas));
    }

    /** @return these rules for a remote or cluster the repository proxies, by its name */
    public HttpAccess forRemote(String name) {
        return new HttpAccess(unauthenticated, unauthenticatedMayLock, users, authOverHttp, explicit, hostUsers, grants,
                Optional.of(name), quotas);
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
                Right perm = switch (p) {
                    case "" -> Right.FULL;
                    case "readonly" -> Right.READ;
                    case "appendonly" -> Right.APPEND;
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
     * Who the request's credentials log in, and what they may do here.
     *
     * @param login the user, if the credentials are right and count on this connection
     * @param right what the request may do
     * @param anonymousMayLock whether the request may lock content without logging in
     * @param forwarded whether a trusted proxy decided who the request is
     */
    public record Decision(Optional<HostUsers.Login> login, Right right, boolean anonymousMayLock, boolean forwarded) {
        /** @return the user's name, for the logs (never a password) */
        public Optional<String> userName() {
            return login.map(HostUsers.Login::user);
        }
    }

    /**
     * Decides once what the request may do: who logs in (a host user by password or token, else
     * an --authenv user), and the wider of git-annex's rules and the grants for them here.
     *
     * @param authorization the request's Authorization header, if any
     * @param secure whether it arrived over HTTPS
     */
    public Decision decide(Optional<String> authorization, boolean secure) throws java.io.IOException {
        return decide(authorization, secure, Optional.empty());
    }

    /**
     * As {@link #decide(Optional, boolean)}, for a request a trusted proxy forwarded: its user
     * is the forge's, its right the forge's decision if it gave one, else the grants for that user.
     */
    public Decision decide(Optional<String> authorization, boolean secure, Optional<TrustedProxy.Forwarded> forwarded)
            throws java.io.IOException {
        if (forwarded.isPresent()) {
            Optional<HostUsers.Login> login = forwarded.get().user().map(u -> new HostUsers.Login(u, "proxy"));
            Right r = forwarded.get().access().isPresent() ? forwarded.get().access().get()
                    : grants.isPresent() ? grants.get().rightOf(login.map(HostUsers.Login::user), remote) : Right.NONE;
            return new Decision(login, r, true, true);
        }
        Optional<HostUsers.Login> login = Optional.empty();
        Right legacy = anonymousLegacy();
        if (authorization.isPresent() && (secure || authOverHttp)) {
            Optional<String[]> basic = basic(authorization.get());
            if (basic.isPresent()) {
                String name = basic.get()[0];
                String secret = basic.get()[1];
                if (hostUsers.isPresent()) {
                    login = hostUsers.get().login(name, secret);
                }
                User u = users.get(name);
                if (login.isEmpty() && u != null && MessageDigest.isEqual(secret.getBytes(StandardCharsets.UTF_8),
                        u.password().getBytes(StandardCharsets.UTF_8))) {
                    login = Optional.of(new HostUsers.Login(name, "authenv"));
                    legacy = legacy.orWider(u.permission());
                }
            }
        }
        Right granted = grants.isPresent() ? grants.get().rightOf(login.map(HostUsers.Login::user), remote) : Right.NONE;
        return new Decision(login, legacy.orWider(granted), unauthenticatedMayLock || login.isPresent(), false);
    }

    /**
     * @param decision what {@link #decide} found
     * @param needed what the request needs
     * @param lock whether the request locks content
     */
    public Verdict check(Decision decision, Right needed, boolean lock) throws java.io.IOException {
        boolean ok = decision.right().covers(needed) && (!lock || decision.anonymousMayLock() || decision.login().isPresent());
        if (ok) {
            return Verdict.ALLOWED;
        }
        if (decision.login().isPresent() || decision.forwarded()) {
            return Verdict.FORBIDDEN;
        }
        // Not logged in: asking for credentials helps only if someone could log in.
        boolean someone = !users.isEmpty() || (hostUsers.isPresent() && hostUsers.get().any());
        return someone ? Verdict.UNAUTHORIZED : Verdict.FORBIDDEN;
    }

    /**
     * @param authorization the request's Authorization header, if any
     * @param needed what the request needs
     * @param lock whether the request locks content
     * @param secure whether it arrived over HTTPS
     */
    public Verdict check(Optional<String> authorization, Right needed, boolean lock, boolean secure) throws java.io.IOException {
        return check(decide(authorization, secure), needed, lock);
    }

    /** What anonymous may do by git-annex's rules: all, by default, unless the host's rules are in use. */
    private Right anonymousLegacy() throws java.io.IOException {
        if (!explicit && ((grants.isPresent() && grants.get().any()) || (hostUsers.isPresent() && hostUsers.get().any()))) {
            return Right.NONE;
        }
        return unauthenticated;
    }

    private static Optional<String[]> basic(String header) {
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
        return colon < 0 ? Optional.empty() : Optional.of(new String[] {decoded.substring(0, colon), decoded.substring(colon + 1)});
    }
}
