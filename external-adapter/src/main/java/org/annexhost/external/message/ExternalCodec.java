package org.annexhost.external.message;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The line form of the external special remote protocol: formats what the host sends, parses
 * what a remote sends. Parameters split as git-annex splits them: one word each, the last takes
 * the rest of the line. An ASYNC job tag {@code J n} may prefix any line. Stateless, thread-safe.
 */
public final class ExternalCodec {
    private ExternalCodec() {
    }

    /** A parsed line and its ASYNC job number, if it had one. */
    public record Tagged(OptionalInt job, FromRemote message) {
    }

    /** @return the line for a request */
    public static String format(Request r) {
        if (r instanceof Request.Extensions e) {
            return words("EXTENSIONS", String.join(" ", e.extensions()));
        } else if (r instanceof Request.Prepare) {
            return "PREPARE";
        } else if (r instanceof Request.InitRemote) {
            return "INITREMOTE";
        } else if (r instanceof Request.Transfer t) {
            return words("TRANSFER", t.direction().name(), t.key(), t.file());
        } else if (r instanceof Request.CheckPresent c) {
            return words("CHECKPRESENT", c.key());
        } else if (r instanceof Request.Remove rm) {
            return words("REMOVE", rm.key());
        } else if (r instanceof Request.GetCost) {
            return "GETCOST";
        } else if (r instanceof Request.GetAvailability) {
            return "GETAVAILABILITY";
        } else if (r instanceof Request.GetOrdered) {
            return "GETORDERED";
        } else if (r instanceof Request.Whereis w) {
            return words("WHEREIS", w.key());
        } else if (r instanceof Request.GetInfo) {
            return "GETINFO";
        } else if (r instanceof Request.ListConfigs) {
            return "LISTCONFIGS";
        } else if (r instanceof Request.ExportSupported) {
            return "EXPORTSUPPORTED";
        }
        throw new IllegalArgumentException("unknown request " + r);
    }

    /** @return the line for an answer to a remote's query */
    public static String format(RemoteResponse r) {
        if (r instanceof RemoteResponse.Value v) {
            return words("VALUE", v.value());
        }
        RemoteResponse.Creds c = (RemoteResponse.Creds) r;
        return words("CREDS", c.user(), c.password());
    }

    /** @return the line for ERROR */
    public static String format(ExceptionalMessage e) {
        return words("ERROR", e.error());
    }

    /** @return the line with an ASYNC job tag */
    public static String tag(int job, String line) {
        return "J " + job + " " + line;
    }

    /** @return the message, or empty for a line that is not one a remote may send */
    public static Optional<Tagged> parse(String line) {
        OptionalInt job = OptionalInt.empty();
        String rest = line;
        if (line.startsWith("J ")) {
            String[] p = line.split(" ", 3);
            if (p.length < 3 || !p[1].matches("[0-9]{1,9}")) {
                return Optional.empty();
            }
            job = OptionalInt.of(Integer.parseInt(p[1]));
            rest = p[2];
        }
        try {
            FromRemote m = parseUntagged(rest);
            return m == null ? Optional.empty() : Optional.of(new Tagged(job, m));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static FromRemote parseUntagged(String line) {
        int sp = line.indexOf(' ');
        String verb = sp < 0 ? line : line.substring(0, sp);
        String rest = sp < 0 ? "" : line.substring(sp + 1);
        return switch (verb) {
            case "EXTENSIONS" -> new Response.Extensions(list(rest));
            case "PREPARE-SUCCESS" -> none(rest, new Response.PrepareSuccess());
            case "PREPARE-FAILURE" -> new Response.PrepareFailure(rest);
            case "INITREMOTE-SUCCESS" -> none(rest, new Response.InitRemoteSuccess());
            case "INITREMOTE-FAILURE" -> new Response.InitRemoteFailure(rest);
            case "TRANSFER-SUCCESS" -> params(rest, 2, p -> new Response.TransferSuccess(direction(p[0]), p[1]));
            case "TRANSFER-FAILURE" -> params(rest, 3, p -> new Response.TransferFailure(direction(p[0]), p[1], p[2]));
            case "CHECKPRESENT-SUCCESS" -> new Response.CheckPresentSuccess(word(rest));
            case "CHECKPRESENT-FAILURE" -> new Response.CheckPresentFailure(word(rest));
            case "CHECKPRESENT-UNKNOWN" -> params(rest, 2, p -> new Response.CheckPresentUnknown(p[0], p[1]));
            case "REMOVE-SUCCESS" -> new Response.RemoveSuccess(word(rest));
            case "REMOVE-FAILURE" -> params(rest, 2, p -> new Response.RemoveFailure(p[0], p[1]));
            case "COST" -> new Response.Cost(Integer.parseInt(rest.trim()));
            case "AVAILABILITY" -> new Response.Availability(word(rest));
            case "ORDERED" -> none(rest, new Response.Ordered());
            case "UNORDERED" -> none(rest, new Response.Unordered());
            case "WHEREIS-SUCCESS" -> new Response.WhereisSuccess(rest);
            case "WHEREIS-FAILURE" -> none(rest, new Response.WhereisFailure());
            case "INFOFIELD" -> new Response.InfoField(rest);
            case "INFOVALUE" -> new Response.InfoValue(rest);
            case "INFOEND" -> none(rest, new Response.InfoEnd());
            case "CONFIG" -> params(rest, 2, p -> new Response.Config(p[0], p[1]));
            case "CONFIGEND" -> none(rest, new Response.ConfigEnd());
            case "EXPORTSUPPORTED-SUCCESS" -> none(rest, new Response.ExportSupportedSuccess());
            case "EXPORTSUPPORTED-FAILURE" -> none(rest, new Response.ExportSupportedFailure());
            case "UNSUPPORTED-REQUEST" -> none(rest, new Response.UnsupportedRequest());
            case "VERSION" -> new RemoteRequest.Version(Integer.parseInt(rest.trim()));
            case "PROGRESS" -> new RemoteRequest.Progress(Long.parseLong(rest.trim()));
            case "DIRHASH" -> new RemoteRequest.DirHash(word(rest));
            case "DIRHASH-LOWER" -> new RemoteRequest.DirHashLower(word(rest));
            case "SETCONFIG" -> params(rest, 2, p -> new RemoteRequest.SetConfig(p[0], p[1]));
            case "GETCONFIG" -> new RemoteRequest.GetConfig(word(rest));
            case "SETCREDS" -> params(rest, 3, p -> new RemoteRequest.SetCreds(p[0], p[1], p[2]));
            case "GETCREDS" -> new RemoteRequest.GetCreds(word(rest));
            case "GETUUID" -> none(rest, new RemoteRequest.GetUuid());
            case "GETGITDIR" -> none(rest, new RemoteRequest.GetGitDir());
            case "GETGITREMOTENAME" -> none(rest, new RemoteRequest.GetGitRemoteName());
            case "SETWANTED" -> new RemoteRequest.SetWanted(rest);
            case "GETWANTED" -> none(rest, new RemoteRequest.GetWanted());
            case "SETSTATE" -> params(rest, 2, p -> new RemoteRequest.SetState(p[0], p[1]));
            case "GETSTATE" -> new RemoteRequest.GetState(word(rest));
            case "SETURLPRESENT" -> params(rest, 2, p -> new RemoteRequest.SetUrlPresent(p[0], p[1]));
            case "SETURLMISSING" -> params(rest, 2, p -> new RemoteRequest.SetUrlMissing(p[0], p[1]));
            case "SETURIPRESENT" -> params(rest, 2, p -> new RemoteRequest.SetUriPresent(p[0], p[1]));
            case "SETURIMISSING" -> params(rest, 2, p -> new RemoteRequest.SetUriMissing(p[0], p[1]));
            case "GETURLS" -> params(rest, 2, p -> new RemoteRequest.GetUrls(p[0], p[1]));
            case "DEBUG" -> new RemoteRequest.Debug(rest);
            case "INFO" -> new RemoteRequest.Info(rest);
            case "ERROR" -> new ExceptionalMessage(rest);
            default -> null;
        };
    }

    private interface Make {
        FromRemote make(String[] params);
    }

    /** Splits into n parameters, the last taking the rest; missing parameters are an error. */
    private static FromRemote params(String rest, int n, Make make) {
        // As git-annex's splitWord: missing parameters are empty, and each field's parser decides
        // (an empty error message is fine; an empty key or direction is not).
        String[] p = rest.split(" ", n);
        String[] padded = new String[n];
        for (int i = 0; i < n; i++) {
            padded[i] = i < p.length ? p[i] : "";
        }
        for (int i = 0; i < n - 1; i++) {
            if (padded[i].isEmpty()) {
                throw new IllegalArgumentException("missing parameter " + (i + 1) + " in \"" + rest + "\"");
            }
        }
        return make.make(padded);
    }

    private static String word(String rest) {
        if (rest.isEmpty()) {
            throw new IllegalArgumentException("missing parameter");
        }
        return rest;
    }

    private static FromRemote none(String rest, FromRemote m) {
        if (!rest.isEmpty()) {
            throw new IllegalArgumentException("unexpected parameter " + rest);
        }
        return m;
    }

    private static Direction direction(String s) {
        return Direction.valueOf(s);
    }

    private static List<String> list(String rest) {
        List<String> out = new ArrayList<>();
        for (String w : rest.split(" ")) {
            if (!w.isEmpty()) {
                out.add(w);
            }
        }
        return out;
    }

    private static String words(String... parts) {
        return String.join(" ", parts);
    }
}
