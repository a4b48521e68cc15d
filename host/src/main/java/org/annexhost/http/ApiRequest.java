package org.annexhost.http;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.annexhost.api.Uuid;
import org.annexhost.api.key.Key;
import org.annexhost.p2p.message.AssociatedFile;
import org.annexhost.p2p.codec.TextCodec;
import org.annexhost.p2p.message.ProtocolVersion;
import org.eclipse.jetty.util.Fields;

/**
 * One request of the annex HTTP API, parsed from its path and query: which peer, which version,
 * which operation, and its parameters, with git-annex's {@code [base64]} wrapping undone. Any
 * malformed part is a {@link BadRequest} naming it. Immutable.
 *
 * @param peer the target uuid
 * @param version the protocol version, or empty for the unversioned key download
 * @param operation e.g. {@code checkpresent}
 * @param pathKey the key captured in the path, for key downloads
 * @param query the query parameters
 */
record ApiRequest(Uuid peer, Optional<ProtocolVersion> version, String operation, Optional<String> pathKey, Fields query) {
    /** A request that cannot be served as written: 400 with this message. */
    static final class BadRequest extends Exception {
        private static final long serialVersionUID = 1L;

        BadRequest(String message) {
            super(message);
        }
    }

    /** @return the request, or empty if the path is not an API path this server has (404) */
    static Optional<ApiRequest> parse(String path, Fields query) throws BadRequest {
        // Split before decoding, so an encoded "/" inside a key stays inside its segment.
        String[] s = path.split("/", -1);
        for (int i = 0; i < s.length; i++) {
            s[i] = PercentCodec.decodeSegment(s[i]);
        }
        // "", "git-annex", uuid, ...
        if (s.length < 4 || !s[1].equals("git-annex")) {
            return Optional.empty();
        }
        Uuid uuid;
        try {
            uuid = new Uuid(decode(s[2]));
        } catch (IllegalArgumentException e) {
            throw new BadRequest("invalid uuid in path: " + s[2]);
        }
        if (s.length == 5 && s[3].equals("key")) {
            return Optional.of(new ApiRequest(uuid, Optional.empty(), "key", Optional.of(s[4]), query));
        }
        if (!s[3].matches("v[0-4]")) {
            return Optional.empty();
        }
        ProtocolVersion v = new ProtocolVersion(s[3].charAt(1) - '0');
        if (s.length == 6 && s[4].equals("key")) {
            return Optional.of(new ApiRequest(uuid, Optional.of(v), "key", Optional.of(s[5]), query));
        }
        if (s.length != 5) {
            return Optional.empty();
        }
        return Optional.of(new ApiRequest(uuid, Optional.of(v), s[4], Optional.empty(), query));
    }

    /** @return the protocol version to speak to the peer; the unversioned download speaks the newest */
    ProtocolVersion versionOrLatest() {
        return version.orElse(ProtocolVersion.LATEST);
    }

    Key key() throws BadRequest {
        String raw = pathKey.isPresent() ? pathKey.get() : required("key");
        try {
            return Key.parse(decode(raw));
        } catch (IllegalArgumentException e) {
            throw new BadRequest("invalid key: " + e.getMessage());
        }
    }

    /** @return the key the request names, as text, for the logs: empty if it names none, or none that decodes */
    Optional<String> keyText() {
        Optional<String> raw = pathKey.isPresent() ? pathKey : optional("key");
        try {
            return raw.map(ApiRequest::decode);
        } catch (IllegalArgumentException notBase64) {
            return Optional.empty();
        }
    }

    String required(String name) throws BadRequest {
        return optional(name).orElseThrow(() -> new BadRequest("missing parameter " + name));
    }

    Optional<String> optional(String name) {
        Fields.Field f = query.get(name);
        return f == null ? Optional.empty() : Optional.ofNullable(f.getValue());
    }

    Uuid clientUuid() throws BadRequest {
        try {
            return new Uuid(decode(required("clientuuid")));
        } catch (IllegalArgumentException e) {
            throw new BadRequest("invalid clientuuid");
        }
    }

    List<Uuid> bypass() throws BadRequest {
        List<Uuid> out = new ArrayList<>();
        Fields.Field f = query.get("bypass");
        if (f != null) {
            for (String v : f.getValues()) {
                try {
                    out.add(new Uuid(decode(v)));
                } catch (IllegalArgumentException e) {
                    throw new BadRequest("invalid bypass uuid: " + v);
                }
            }
        }
        return out;
    }

    AssociatedFile associatedFile() throws BadRequest {
        Optional<String> f = optional("associatedfile");
        if (f.isEmpty()) {
            return AssociatedFile.NONE;
        }
        try {
            String path = decode(f.get());
            if (path.startsWith("/")) {
                throw new BadRequest("associatedfile must be relative");
            }
            StringBuilder safe = new StringBuilder(path.length());
            for (char c : path.toCharArray()) {
                safe.append(c < 0x20 || c == 0x7f || TextCodec.isEscapedByte(c) ? '_' : c);
            }
            return AssociatedFile.of(safe.toString());
        } catch (IllegalArgumentException e) {
            throw new BadRequest("invalid associatedfile");
        }
    }

    long number(String name, long dflt) throws BadRequest {
        Optional<String> v = optional(name);
        if (v.isEmpty()) {
            return dflt;
        }
        if (!v.get().matches("[0-9]{1,18}")) {
            throw new BadRequest("invalid " + name + ": " + v.get());
        }
        return Long.parseLong(v.get());
    }

    /**
     * Undoes git-annex's {@code [base64]} wrapping of a value, if it is wrapped, byte-exact (see
     * {@link TextCodec}).
     *
     * @throws IllegalArgumentException if the wrapped part is not base64
     */
    static String decode(String v) {
        if (v.length() >= 2 && v.startsWith("[") && v.endsWith("]")) {
            String inner = v.substring(1, v.length() - 1);
            byte[] b;
            try {
                b = Base64.getUrlDecoder().decode(inner);
            } catch (IllegalArgumentException e) {
                b = Base64.getDecoder().decode(inner);
            }
            return TextCodec.decode(b);
        }
        return v;
    }
}
