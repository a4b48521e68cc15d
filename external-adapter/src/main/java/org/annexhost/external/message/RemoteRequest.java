package org.annexhost.external.message;

/**
 * What an external remote may send while it handles a request: queries the host answers with
 * {@link RemoteResponse}, and notices that get no answer ("special remote messages").
 */
public sealed interface RemoteRequest extends FromRemote {
    /** {@code VERSION Int}: first thing at startup; too late afterwards. */
    record Version(int version) implements RemoteRequest {
    }

    /** {@code PROGRESS Int}. */
    record Progress(long bytes) implements RemoteRequest {
    }

    /** {@code DIRHASH Key}. */
    record DirHash(String key) implements RemoteRequest {
    }

    /** {@code DIRHASH-LOWER Key}. */
    record DirHashLower(String key) implements RemoteRequest {
    }

    /** {@code SETCONFIG Setting Value}. */
    record SetConfig(String setting, String value) implements RemoteRequest {
    }

    /** {@code GETCONFIG Setting}. */
    record GetConfig(String setting) implements RemoteRequest {
    }

    /** {@code SETCREDS Setting User Password}. */
    record SetCreds(String setting, String user, String password) implements RemoteRequest {
        @Override
        public String toString() {
            return "SetCreds[setting=" + setting + ", <redacted>]";
        }
    }

    /** {@code GETCREDS Setting}. */
    record GetCreds(String setting) implements RemoteRequest {
    }

    /** {@code GETUUID}. */
    record GetUuid() implements RemoteRequest {
    }

    /** {@code GETGITDIR}. */
    record GetGitDir() implements RemoteRequest {
    }

    /** {@code GETGITREMOTENAME}. */
    record GetGitRemoteName() implements RemoteRequest {
    }

    /** {@code SETWANTED Expression}. */
    record SetWanted(String expression) implements RemoteRequest {
    }

    /** {@code GETWANTED}. */
    record GetWanted() implements RemoteRequest {
    }

    /** {@code SETSTATE Key Value}. */
    record SetState(String key, String value) implements RemoteRequest {
    }

    /** {@code GETSTATE Key}. */
    record GetState(String key) implements RemoteRequest {
    }

    /** {@code SETURLPRESENT Key Url}. */
    record SetUrlPresent(String key, String url) implements RemoteRequest {
    }

    /** {@code SETURLMISSING Key Url}. */
    record SetUrlMissing(String key, String url) implements RemoteRequest {
    }

    /** {@code SETURIPRESENT Key Uri}. */
    record SetUriPresent(String key, String uri) implements RemoteRequest {
    }

    /** {@code SETURIMISSING Key Uri}. */
    record SetUriMissing(String key, String uri) implements RemoteRequest {
    }

    /** {@code GETURLS Key Prefix}. */
    record GetUrls(String key, String prefix) implements RemoteRequest {
    }

    /** {@code DEBUG message}. */
    record Debug(String message) implements RemoteRequest {
    }

    /** {@code INFO message}. */
    record Info(String message) implements RemoteRequest {
    }
}
