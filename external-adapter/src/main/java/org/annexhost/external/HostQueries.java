package org.annexhost.external;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.annexhost.api.BackendContext;
import org.annexhost.api.key.InvalidKeyException;
import org.annexhost.api.key.Key;
import org.annexhost.api.key.KeyPaths;
import org.annexhost.external.message.RemoteRequest;
import org.annexhost.external.message.RemoteRequest.*;
import org.annexhost.external.message.RemoteResponse;

/**
 * Answers what an external remote asks the host, exactly as git-annex answers
 * ({@code Remote/External.hs}, {@code handleRemoteRequest}): unset values are an empty VALUE,
 * missing credentials an empty CREDS, and queries that make no sense here an ERROR.
 *
 * <p>One per remote; thread-safe (SETCONFIG may come from several processes).
 */
final class HostQueries {
    /** An answer: a response to send, nothing, or an ERROR text. */
    record Answer(java.util.List<RemoteResponse> responses, Optional<String> error) {
        static Answer none() {
            return new Answer(java.util.List.of(), Optional.empty());
        }

        static Answer of(RemoteResponse r) {
            return new Answer(java.util.List.of(r), Optional.empty());
        }

        static Answer error(String text) {
            return new Answer(java.util.List.of(), Optional.of(text));
        }
    }

    private final BackendContext context;
    private final Map<String, String> config;
    private final Map<String, String> configChanges = new ConcurrentHashMap<>();
    private final System.Logger log;

    HostQueries(BackendContext context) {
        this.context = context;
        this.config = new ConcurrentHashMap<>(context.config().values());
        this.log = context.logger();
    }

    /** @return settings the remote changed with SETCONFIG, to record with the remote */
    Map<String, String> configChanges() {
        return Map.copyOf(configChanges);
    }

    Answer answer(RemoteRequest r) {
        if (r instanceof Progress || r instanceof SetWanted) {
            // Progress is counted by the host's own streams; preferred content is the clients' to set.
            return Answer.none();
        } else if (r instanceof SetUrlPresent u) {
            return url(u.key(), u.url(), true);
        } else if (r instanceof SetUrlMissing u) {
            return url(u.key(), u.url(), false);
        } else if (r instanceof SetUriPresent u) {
            // git-annex marks urls no web downloader handles with a leading ":" (OtherDownloader).
            return url(u.key(), ":" + u.uri(), true);
        } else if (r instanceof SetUriMissing u) {
            return url(u.key(), ":" + u.uri(), false);
        } else if (r instanceof Debug d) {
            log.log(System.Logger.Level.DEBUG, "{0}: {1}", context.config().remoteName(), d.message());
            return Answer.none();
        } else if (r instanceof Info i) {
            log.log(System.Logger.Level.INFO, "{0}: {1}", context.config().remoteName(), i.message());
            return Answer.none();
        } else if (r instanceof DirHash h) {
            return dirHash(h.key(), false);
        } else if (r instanceof DirHashLower h) {
            return dirHash(h.key(), true);
        } else if (r instanceof SetConfig s) {
            config.put(s.setting(), s.value());
            configChanges.put(s.setting(), s.value());
            return Answer.none();
        } else if (r instanceof GetConfig g) {
            return value(config.getOrDefault(g.setting(), ""));
        } else if (r instanceof SetCreds c) {
            context.setCredential(c.setting(), c.user() + "\n" + c.password());
            return Answer.none();
        } else if (r instanceof GetCreds c) {
            return creds(c.setting());
        } else if (r instanceof GetUuid) {
            return value(context.uuid().value());
        } else if (r instanceof GetGitDir) {
            return context.gitDirectory().map(p -> value(p.toString()))
                    .orElse(Answer.error("cannot send GETGITDIR here"));
        } else if (r instanceof GetGitRemoteName) {
            return value(context.config().remoteName());
        } else if (r instanceof GetWanted) {
            return value("");
        } else if (r instanceof SetState s) {
            context.setState(s.key(), s.value());
            return Answer.none();
        } else if (r instanceof GetState s) {
            return value(context.getState(s.key()).orElse(""));
        } else if (r instanceof GetUrls g) {
            java.util.List<RemoteResponse> out = new java.util.ArrayList<>();
            for (String u : context.urls(g.key())) {
                String shown = u.startsWith(":") ? u.substring(1) : u;
                if (shown.startsWith(g.prefix())) {
                    out.add(new RemoteResponse.Value(shown));
                }
            }
            out.add(new RemoteResponse.Value(""));
            return new Answer(out, Optional.empty());
        } else if (r instanceof Version) {
            return Answer.error("too late to send VERSION");
        }
        throw new IllegalStateException("unhandled remote request " + r);
    }

    private Answer url(String key, String url, boolean present) {
        try {
            context.setUrl(key, url, present);
            return Answer.none();
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            return Answer.error("cannot record url: " + e.getMessage());
        }
    }

    private Answer creds(String setting) {
        Optional<String> stored = context.credential(setting);
        if (stored.isEmpty()) {
            return Answer.of(new RemoteResponse.Creds("", ""));
        }
        String s = stored.get();
        int nl = s.indexOf('\n');
        return Answer.of(nl < 0 ? new RemoteResponse.Creds(s, "")
                : new RemoteResponse.Creds(s.substring(0, nl), s.substring(nl + 1)));
    }

    private static Answer dirHash(String keyText, boolean lower) {
        try {
            Key key = Key.parse(keyText);
            return value(lower ? KeyPaths.hashDirLower(key) : KeyPaths.hashDirMixed(key));
        } catch (InvalidKeyException e) {
            return Answer.error("bad key in DIRHASH: " + e.getMessage());
        }
    }

    private static Answer value(String v) {
        return Answer.of(new RemoteResponse.Value(v));
    }
}
