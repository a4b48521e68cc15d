package org.annexhost.p2p.codec;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.annexhost.api.Uuid;
import org.annexhost.api.key.InvalidKeyException;
import org.annexhost.api.key.Key;
import org.annexhost.p2p.message.GitService;
import org.annexhost.p2p.message.Message;
import org.annexhost.p2p.message.Message.*;
import org.annexhost.p2p.message.Message.Error;
import org.annexhost.p2p.message.ProtocolVersion;
import org.annexhost.p2p.message.Verb;

/**
 * The line serialization of P2P messages: one parser and one formatter. Parameters are split the
 * way git-annex's {@code Utility/SimpleProtocol.hs} splits them: the verb ends at the first space,
 * every parameter but the last is one word, and the last takes the rest of the line (so a key or an
 * ERROR text may contain spaces). List parameters are whitespace-separated words. Stateless and
 * thread-safe.
 */
public final class MessageCodec {
    private MessageCodec() {
    }

    /** @return the message's line, without a newline */
    public static String format(Message m) {
        String verb = m.verb().wire();
        return switch (m.verb()) {
            case AUTH -> join(verb, ((Auth) m).uuid().value(), ((Auth) m).token());
            case AUTH_SUCCESS -> join(verb, ((AuthSuccess) m).uuid().value());
            case VERSION -> join(verb, ((Version) m).version().toString());
            case BYPASS -> joinList(verb, uuidWords(((Bypass) m).uuids()));
            case CONNECT -> join(verb, ((Connect) m).service().wire());
            case CONNECTDONE -> join(verb, Integer.toString(((ConnectDone) m).exitCode()));
            case CHANGED -> joinList(verb, ((Changed) m).refs());
            case CHECKPRESENT -> join(verb, ((CheckPresent) m).key().toString());
            case LOCKCONTENT -> join(verb, ((LockContent) m).key().toString());
            case REMOVE -> join(verb, ((Remove) m).key().toString());
            case REMOVE_BEFORE -> join(verb, Long.toString(((RemoveBefore) m).deadline()),
                    ((RemoveBefore) m).key().toString());
            case TIMESTAMP -> join(verb, Long.toString(((Timestamp) m).seconds()));
            case GET -> join(verb, Long.toString(((Get) m).offset()),
                    AssociatedFileCodec.encode(((Get) m).file()), ((Get) m).key().toString());
            case PUT -> join(verb, AssociatedFileCodec.encode(((Put) m).file()), ((Put) m).key().toString());
            case PUT_FROM -> join(verb, Long.toString(((PutFrom) m).offset()));
            case ALREADY_HAVE_PLUS -> joinList(verb, uuidWords(((AlreadyHavePlus) m).uuids()));
            case SUCCESS_PLUS -> joinList(verb, uuidWords(((SuccessPlus) m).uuids()));
            case FAILURE_PLUS -> joinList(verb, uuidWords(((FailurePlus) m).uuids()));
            case DATA -> join(verb, Long.toString(((Data) m).length()));
            case ERROR -> join(verb, ((Error) m).text());
            case AUTH_FAILURE, NOTIFYCHANGE, UNLOCKCONTENT, GETTIMESTAMP, ALREADY_HAVE, SUCCESS,
                    FAILURE, DATA_PRESENT, VALID, INVALID -> verb;
        };
    }

    /**
     * Parses one line (without its newline).
     *
     * @return the message, or empty if the line is not a message this protocol knows: an unknown
     *     verb, a missing or malformed parameter, a hostile key
     */
    public static Optional<Message> parse(String line) {
        int space = line.indexOf(' ');
        String word = space < 0 ? line : line.substring(0, space);
        String rest = space < 0 ? "" : line.substring(space + 1);
        Optional<Verb> verb = Verb.fromWire(word);
        if (verb.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.ofNullable(parse(verb.get(), rest));
        } catch (IllegalArgumentException e) {
            // InvalidKeyException and record validation: a malformed parameter.
            return Optional.empty();
        }
    }

    /** @return why a line did not parse, for logs and error replies */
    public static String diagnose(String line) {
        int space = line.indexOf(' ');
        String word = space < 0 ? line : line.substring(0, space);
        if (Verb.fromWire(word).isEmpty()) {
            return "unknown command";
        }
        String rest = space < 0 ? "" : line.substring(space + 1);
        try {
            parse(Verb.fromWire(word).get(), rest);
            return "malformed " + word + " parameters";
        } catch (InvalidKeyException e) {
            return e.getMessage();
        } catch (IllegalArgumentException e) {
            return "malformed " + word + " parameters: " + e.getMessage();
        }
    }

    /** Returns null for a line whose parameters do not fit the verb. */
    private static Message parse(Verb verb, String rest) {
        return switch (verb) {
            case AUTH -> two(rest, (a, b) -> new Auth(new Uuid(a), b));
            case AUTH_SUCCESS -> new AuthSuccess(new Uuid(rest));
            case VERSION -> new Version(new ProtocolVersion(version(rest)));
            case BYPASS -> new Bypass(uuids(rest));
            case CONNECT -> GitService.fromWire(rest).map(Connect::new).orElse(null);
            case CONNECTDONE -> new ConnectDone(Integer.parseInt(signedNumber(rest)));
            case CHANGED -> new Changed(words(rest));
            case CHECKPRESENT -> new CheckPresent(Key.parse(rest));
            case LOCKCONTENT -> new LockContent(Key.parse(rest));
            case REMOVE -> new Remove(Key.parse(rest));
            case REMOVE_BEFORE -> two(rest, (a, b) -> new RemoveBefore(number(a), Key.parse(b)));
            case TIMESTAMP -> new Timestamp(number(rest));
            case GET -> parseGet(rest);
            case PUT -> two(rest, (a, b) -> AssociatedFileCodec.decode(a)
                    .map(f -> new Put(f, Key.parse(b))).orElse(null));
            case PUT_FROM -> new PutFrom(number(rest));
            case ALREADY_HAVE_PLUS -> new AlreadyHavePlus(uuids(rest));
            case SUCCESS_PLUS -> new SuccessPlus(uuids(rest));
            case FAILURE_PLUS -> new FailurePlus(uuids(rest));
            case DATA -> new Data(number(rest));
            case ERROR -> new Error(rest);
            case AUTH_FAILURE -> none(rest, new AuthFailure());
            case NOTIFYCHANGE -> none(rest, new NotifyChange());
            case UNLOCKCONTENT -> none(rest, new UnlockContent());
            case GETTIMESTAMP -> none(rest, new GetTimestamp());
            case ALREADY_HAVE -> none(rest, new AlreadyHave());
            case SUCCESS -> none(rest, new Success());
            case FAILURE -> none(rest, new Failure());
            case DATA_PRESENT -> none(rest, new DataPresent());
            case VALID -> none(rest, new Validity(true));
            case INVALID -> none(rest, new Validity(false));
        };
    }

    private static Message parseGet(String rest) {
        int first = rest.indexOf(' ');
        if (first < 0) {
            return null;
        }
        long offset = number(rest.substring(0, first));
        return two(rest.substring(first + 1), (file, key) -> AssociatedFileCodec.decode(file)
                .map(f -> new Get(offset, f, Key.parse(key))).orElse(null));
    }

    private interface TwoParams {
        Message make(String first, String rest);
    }

    private static Message two(String rest, TwoParams make) {
        int space = rest.indexOf(' ');
        return space < 0 ? null : make.make(rest.substring(0, space), rest.substring(space + 1));
    }

    private static Message none(String rest, Message m) {
        return rest.isEmpty() ? m : null;
    }

    private static long number(String s) {
        if (s.isEmpty() || s.length() > 18 || !s.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("not a number: \"" + s + "\"");
        }
        return Long.parseLong(s);
    }

    /**
     * A version may be any number: git-annex reads it as an unbounded integer and answers a
     * version newer than its own with its own, so a huge one is as good as the highest int.
     */
    private static int version(String s) {
        if (s.isEmpty() || !s.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("not a version: \"" + s + "\"");
        }
        String digits = s.replaceFirst("^0+(?=.)", "");
        return digits.length() > 10 ? Integer.MAX_VALUE : (int) Math.min(Integer.MAX_VALUE, Long.parseLong(digits));
    }

    private static String signedNumber(String s) {
        String digits = s.startsWith("-") ? s.substring(1) : s;
        number(digits);
        if (digits.length() > 9) {
            throw new IllegalArgumentException("exit code out of range: " + s);
        }
        return s;
    }

    private static List<String> words(String rest) {
        List<String> out = new ArrayList<>();
        for (String w : rest.split("\\s+")) {
            if (!w.isEmpty()) {
                out.add(w);
            }
        }
        return out;
    }

    private static List<Uuid> uuids(String rest) {
        return words(rest).stream().map(Uuid::new).collect(Collectors.toList());
    }

    private static List<String> uuidWords(List<Uuid> uuids) {
        return uuids.stream().map(Uuid::value).collect(Collectors.toList());
    }

    private static String join(String verb, String... params) {
        return verb + " " + String.join(" ", params);
    }

    private static String joinList(String verb, List<String> params) {
        return params.isEmpty() ? verb : verb + " " + String.join(" ", params);
    }
}
