package org.annexhost.p2p.codec;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import java.util.OptionalLong;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.annexhost.api.Uuid;
import org.annexhost.api.key.Key;
import org.annexhost.p2p.message.AssociatedFile;
import org.annexhost.p2p.message.GitService;
import org.annexhost.p2p.message.Message;
import org.annexhost.p2p.message.Message.*;
import org.annexhost.p2p.message.Message.Error;
import org.annexhost.p2p.message.ProtocolVersion;
import org.annexhost.p2p.message.Verb;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MessageCodecTest {

    @Property(tries = 2000)
    void parseInvertsFormat(@ForAll("messages") Message m) {
        String line = MessageCodec.format(m);
        assertThat(line).doesNotContain("\n");
        assertThat(MessageCodec.parse(line)).contains(m);
    }

    @Property(tries = 300)
    void everyVerbIsGenerated(@ForAll("messages") Message m) {
        assertThat(Verb.fromWire(MessageCodec.format(m).split(" ", 2)[0])).contains(m.verb());
    }

    @org.junit.jupiter.api.Test
    void everyVerbHasAWireForm() {
        for (Verb v : Verb.values()) {
            assertThat(Verb.fromWire(v.wire())).contains(v);
        }
        assertThat(Verb.values()).hasSize(30);
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', textBlock = """
            FROB                                      | unknown command
            checkpresent WORM--x                      | unknown command
            CHECKPRESENT                              | empty key
            CHECKPRESENT notakey                      | not a key
            CHECKPRESENT SHA256E-s1--../../x          | path separator
            CHECKPRESENT SHA256E-sX--abc              | malformed number
            CHECKPRESENT SHA256E-q5--abc              | unknown field
            CHECKPRESENT SHA256-E--abc                | malformed field
            GET -1 f WORM--x                          | malformed GET
            GET 0 f                                   | malformed GET
            PUT WORM--x                               | malformed PUT
            PUT-FROM                                  | malformed PUT-FROM
            PUT-FROM 12abc                            | malformed PUT-FROM
            DATA -5                                   | malformed DATA
            DATA 99999999999999999999                 | malformed DATA
            VERSION x                                 | malformed VERSION
            SUCCESS extra                             | malformed SUCCESS
            VALID now                                 | malformed VALID
            AUTH-SUCCESS                              | malformed AUTH-SUCCESS
            AUTH onlyuuid                             | malformed AUTH
            CONNECT git-upload-archive                | malformed CONNECT
            REMOVE-BEFORE soon WORM--x                | malformed REMOVE-BEFORE
            TIMESTAMP -3                              | malformed TIMESTAMP
            """)
    void malformedLinesDoNotParse(String line, String diagnosis) {
        assertThat(MessageCodec.parse(line)).isEmpty();
        assertThat(MessageCodec.diagnose(line)).contains(diagnosis);
    }

    @org.junit.jupiter.api.Test
    void lastParameterTakesTheRestOfTheLine() {
        assertThat(MessageCodec.parse("ERROR this repository is read-only; write access denied"))
                .contains(new Error("this repository is read-only; write access denied"));
        assertThat(MessageCodec.parse("CHECKPRESENT WORM-s1-m2--a b  c"))
                .map(m -> ((CheckPresent) m).key().name()).contains("a b  c");
        assertThat(MessageCodec.parse("SUCCESS-PLUS  u1   u2 ")).contains(
                new SuccessPlus(List.of(new Uuid("u1"), new Uuid("u2"))));
        assertThat(MessageCodec.parse("ERROR")).contains(new Error(""));
    }

    @org.junit.jupiter.api.Test
    void associatedFileEscapingIsGitAnnexs() {
        AssociatedFile f = AssociatedFile.of("my photos/100% real one.jpg");
        assertThat(AssociatedFileCodec.encode(f)).isEqualTo("my%photos/100%%%real%one.jpg");
        // git-annex decodes a lone % to _, so whitespace does not survive the trip.
        assertThat(AssociatedFileCodec.decode("my%photos/100%%%real%one.jpg"))
                .contains(AssociatedFile.of("my_photos/100%_real_one.jpg"));
        assertThat(AssociatedFileCodec.decode("/etc/passwd")).isEmpty();
        assertThat(AssociatedFileCodec.decode("")).contains(AssociatedFile.NONE);
        assertThat(AssociatedFileCodec.decode("a\u0007b")).contains(AssociatedFile.of("a_b"));
        assertThat(AssociatedFileCodec.encode(AssociatedFile.of("Fotos/Ünïcödé.jpg"))).isEqualTo("Fotos/Ünïcödé.jpg");
    }

    @org.junit.jupiter.api.Test
    void authTokenIsRedactedFromToString() {
        assertThat(new Auth(new Uuid("u"), "sekrit").toString()).doesNotContain("sekrit");
    }

    @Provide
    Arbitrary<Message> messages() {
        Arbitrary<Key> keys = keys();
        Arbitrary<Uuid> uuid = uuids();
        Arbitrary<List<Uuid>> uuidList = uuid.list().ofMaxSize(4);
        Arbitrary<Long> nat = Arbitraries.longs().between(0, 999_999_999_999_999_999L);
        Arbitrary<AssociatedFile> files = files();
        return Arbitraries.oneOf(List.of(
                Combinators.combine(uuid, Arbitraries.strings().alpha().numeric().ofMinLength(1).ofMaxLength(40))
                        .as(Auth::new),
                uuid.map(AuthSuccess::new),
                Arbitraries.just(new AuthFailure()),
                Arbitraries.integers().between(0, 1000).map(n -> new Version(new ProtocolVersion(n))),
                uuidList.map(Bypass::new),
                Arbitraries.of(GitService.class).map(Connect::new),
                Arbitraries.integers().between(-255, 255).map(ConnectDone::new),
                Arbitraries.just(new NotifyChange()),
                Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(10).map(s -> "refs/heads/" + s)
                        .list().ofMaxSize(3).map(Changed::new),
                keys.map(CheckPresent::new),
                keys.map(LockContent::new),
                Arbitraries.just(new UnlockContent()),
                keys.map(Remove::new),
                Combinators.combine(nat, keys).as(RemoveBefore::new),
                Arbitraries.just(new GetTimestamp()),
                nat.map(Timestamp::new),
                Combinators.combine(nat, files, keys).as(Get::new),
                Combinators.combine(files, keys).as(Put::new),
                nat.map(PutFrom::new),
                Arbitraries.just(new AlreadyHave()),
                uuidList.map(AlreadyHavePlus::new),
                Arbitraries.just(new Success()),
                uuidList.map(SuccessPlus::new),
                Arbitraries.just(new Failure()),
                uuidList.map(FailurePlus::new),
                nat.map(Data::new),
                Arbitraries.just(new DataPresent()),
                Arbitraries.of(true, false).map(Validity::new),
                Arbitraries.strings().ofMaxLength(60).filter(s -> s.chars().noneMatch(c -> c == '\n' || c == '\r'))
                        .map(Error::new)));
    }

    private static Arbitrary<Uuid> uuids() {
        return Arbitraries.strings().withCharRange('a', 'f').numeric().withChars('-').ofMinLength(1).ofMaxLength(36)
                .map(Uuid::new);
    }

    private static Arbitrary<AssociatedFile> files() {
        // Whitespace does not survive the trip (git-annex decodes its escape to _); see above.
        return Arbitraries.strings().withCharRange('!', '~').withChars('é', 'ß', '漢').ofMaxLength(30)
                .filter(s -> !s.startsWith("/"))
                .map(AssociatedFile::of);
    }

    private static Arbitrary<Key> keys() {
        Arbitrary<String> hex = Arbitraries.strings().withCharRange('0', '9').withCharRange('a', 'f').ofLength(64);
        Arbitrary<Key> sha = Combinators.combine(hex, Arbitraries.longs().between(0, Long.MAX_VALUE),
                        Arbitraries.of("", ".jpg", ".tar.gz"))
                .as((h, s, ext) -> Key.parse("SHA256E-s" + s + "--" + h + ext));
        Arbitrary<String> names = Arbitraries.strings().withCharRange(' ', '~').withChars('é', '%', '&', ':')
                .ofMinLength(1).ofMaxLength(60).filter(n -> n.indexOf('/') < 0 && n.indexOf('\\') < 0);
        Arbitrary<Key> worm = Combinators.combine(names, Arbitraries.longs().between(0, 1L << 40),
                        Arbitraries.longs().between(0, 1L << 33))
                .as((n, size, mtime) -> new Key("WORM", OptionalLong.of(size), OptionalLong.of(mtime),
                        OptionalLong.empty(), OptionalLong.empty(), n));
        Arbitrary<Key> chunk = Combinators.combine(hex, Arbitraries.longs().between(1, 1000))
                .as((h, c) -> Key.parse("SHA256-s100-S10-C" + c + "--" + h));
        return Arbitraries.oneOf(List.of(sha, worm, chunk));
    }

}
