package org.annexhost.repo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.annexhost.api.content.Content;
import org.annexhost.api.content.ContentLengthException;
import org.annexhost.api.key.Key;
import org.annexhost.lock.LockTable;
import org.annexhost.p2p.message.AssociatedFile;
import org.annexhost.p2p.server.LocalStore;
import org.annexhost.repo.branch.PresenceLog;
import org.annexhost.testing.FakeMonotonicClock;
import org.annexhost.testing.Sh;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class RepositoryStoreTest {
    static final Key HELLO = Key.parse("SHA256E-s5--2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824.txt");
    @TempDir
    Path tmp;
    HostRepository repo;
    RepositoryStore store;
    FakeMonotonicClock clock = new FakeMonotonicClock(100);
    MutableClock wall = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    LockTable locks;

    /** A wall clock a test moves by hand. */
    static final class MutableClock extends Clock {
        private Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @BeforeEach
    void init() throws IOException {
        repo = HostRepository.init(tmp.resolve("r.git"), Optional.of("test"));
        locks = new LockTable(repo.hostDir().resolve("locks"), wall, Duration.ofMinutes(10));
        store = new RepositoryStore(repo, locks, clock, wall);
    }

    private static Content bytes(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return new Content(b.length, new ByteArrayInputStream(b));
    }

    private boolean put(Key key, String data) throws IOException {
        try (LocalStore.Upload u = store.beginUpload(key, AssociatedFile.NONE)) {
            u.write(bytes(data.substring((int) u.offset())));
            return u.commit(Optional.of(true)).ok();
        }
    }

    @Test
    void initWritesGitAnnexsUuidLogAndConfig() throws Exception {
        assertThat(repo.isBare()).isTrue();
        assertThat(repo.configList()).isEqualTo("annex.uuid=" + repo.uuid() + "\n");
        assertThat(repo.branch().read("uuid.log").orElseThrow()).matches(repo.uuid() + " test timestamp=\\d+s\n");
        assertThat(repo.git().run("config", "annex.version").strip()).isEqualTo("10");
        assertThatThrownBy(() -> HostRepository.init(repo.path(), Optional.empty()))
                .hasMessageContaining("already a git-annex repository");
    }

    @Test
    void storesVerifiedContentReadOnlyAndLogsIt() throws Exception {
        assertThat(put(HELLO, "hello")).isTrue();
        Path object = repo.existingObject(HELLO).orElseThrow();
        assertThat(object.toString()).contains("annex/objects/091/de9/");
        assertThat(Files.getPosixFilePermissions(object)).doesNotContain(java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
        try (InputStream in = store.openContent(HELLO, 1).orElseThrow()) {
            assertThat(in.readAllBytes()).asString().isEqualTo("ello");
        }
        String log = repo.branch().read("091/de9/" + HELLO + ".log").orElseThrow();
        assertThat(PresenceLog.present(log)).containsExactly(repo.uuid().value());
    }

    @Test
    void badContentIsNotStoredNorKept() throws Exception {
        assertThat(put(HELLO, "HELLO")).isFalse();
        assertThat(store.isPresent(HELLO)).isFalse();
        assertThat(repo.tmpObject(HELLO)).doesNotExist();
    }

    @Test
    void largeContentIsHashedAlongsideAndStillVerified() throws Exception {
        // Past RepositoryStore.PARALLEL_HASH_FROM the digest runs on its own thread.
        org.annexhost.api.contract.GeneratedContent good = new org.annexhost.api.contract.GeneratedContent(9L << 20, 21);
        org.annexhost.api.contract.GeneratedContent other = new org.annexhost.api.contract.GeneratedContent(9L << 20, 22);
        Key k = good.key();
        try (LocalStore.Upload u = store.beginUpload(k, AssociatedFile.NONE)) {
            u.write(other.content(0));
            assertThat(u.commit(Optional.of(true)).ok()).as("other bytes under the key").isFalse();
        }
        assertThat(store.isPresent(k)).isFalse();
        try (LocalStore.Upload u = store.beginUpload(k, AssociatedFile.NONE)) {
            u.write(good.content(0));
            assertThat(u.commit(Optional.of(true)).ok()).isTrue();
        }
        try (InputStream in = store.openContent(k, 0).orElseThrow(); InputStream expected = good.stream(0)) {
            assertThat(in.readAllBytes()).isEqualTo(expected.readAllBytes());
        }
    }

    @Test
    void interruptedUploadIsResumed() throws Exception {
        try (LocalStore.Upload u = store.beginUpload(HELLO, AssociatedFile.NONE)) {
            Content shortOne = new Content(5, new ByteArrayInputStream("hel".getBytes(StandardCharsets.UTF_8)));
            assertThatThrownBy(() -> u.write(shortOne)).isInstanceOf(ContentLengthException.class);
        }
        assertThat(store.isPresent(HELLO)).isFalse();
        try (LocalStore.Upload u = store.beginUpload(HELLO, AssociatedFile.NONE)) {
            assertThat(u.offset()).isEqualTo(3);
            u.write(bytes("lo"));
            assertThat(u.commit(Optional.of(true)).ok()).isTrue();
        }
        assertThat(store.contentSize(HELLO)).isEqualTo(OptionalLong.of(5));
    }

    @Test
    void secondUploadOfTheSameKeyWaitsForTheFirst() throws Exception {
        LocalStore.Upload first = store.beginUpload(HELLO, AssociatedFile.NONE);
        CompletableFuture<Long> second = CompletableFuture.supplyAsync(() -> {
            try (LocalStore.Upload u = store.beginUpload(HELLO, AssociatedFile.NONE)) {
                return u.offset();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(300);
        assertThat(second).isNotDone();
        first.write(bytes("hello"));
        assertThat(first.commit(Optional.of(true)).ok()).isTrue();
        first.close();
        second.get(10, TimeUnit.SECONDS);
        assertThat(store.isPresent(HELLO)).isTrue();
    }

    @Test
    void lockedContentIsNotRemovedUntilUnlocked() throws Exception {
        put(HELLO, "hello");
        LocalStore.ContentLock lock = store.lockContent(HELLO).orElseThrow();
        assertThat(store.remove(HELLO, OptionalLong.empty()).ok()).isFalse();
        lock.close();
        assertThat(store.remove(HELLO, OptionalLong.empty()).ok()).isTrue();
        assertThat(store.isPresent(HELLO)).isFalse();
        assertThat(PresenceLog.present(repo.branch().read("091/de9/" + HELLO + ".log").orElseThrow())).isEmpty();
        assertThat(store.lockContent(HELLO)).isEmpty();
    }

    @Test
    void abandonedLockHoldsTenMinutes() throws Exception {
        put(HELLO, "hello");
        store.lockContent(HELLO).orElseThrow().abandon();
        wall.advance(Duration.ofMinutes(9));
        assertThat(store.remove(HELLO, OptionalLong.empty()).ok()).isFalse();
        wall.advance(Duration.ofMinutes(1));
        assertThat(store.remove(HELLO, OptionalLong.empty()).ok()).isTrue();
    }

    @Test
    void lockOfADeadProcessExpiresFromWhenItWasTaken() throws Exception {
        put(HELLO, "hello");
        Path keyDir = repo.hostDir().resolve("locks").resolve(HELLO.toString());
        Files.createDirectories(keyDir);
        Files.writeString(keyDir.resolve("crashed"), "held 999999999 " + wall.millis() + "\n");
        assertThat(store.remove(HELLO, OptionalLong.empty()).ok()).isFalse();
        wall.advance(Duration.ofMinutes(10));
        assertThat(store.remove(HELLO, OptionalLong.empty()).ok()).isTrue();
    }

    @Test
    void removeBeforeAPassedDeadlineKeepsTheContent() throws Exception {
        put(HELLO, "hello");
        assertThat(store.remove(HELLO, OptionalLong.of(100)).ok()).isFalse();
        assertThat(store.isPresent(HELLO)).isTrue();
        assertThat(store.remove(HELLO, OptionalLong.of(101)).ok()).isTrue();
    }

    @Test
    void removingAbsentContentSucceeds() throws Exception {
        assertThat(store.remove(HELLO, OptionalLong.empty()).ok()).isTrue();
    }

    @Test
    void opensARepositoryThatGitAnnexMade() throws Exception {
        Path nonBare = tmp.resolve("work");
        Files.createDirectories(nonBare);
        Sh sh = new Sh(Map.of());
        assertThat(sh.run(nonBare, Duration.ofMinutes(1), "git", "init", "-q").code()).isZero();
        Sh.Result init = sh.run(nonBare, Duration.ofMinutes(1), "git", "annex", "init", "made by git-annex");
        assertThat(init.code()).as("git annex init (run scripts/install-deps.sh if missing): %s", init.describe()).isZero();
        HostRepository r = HostRepository.open(nonBare);
        assertThat(r.isBare()).isFalse();
        assertThat(r.uuid()).isNotNull();
        assertThat(r.newObject(HELLO).toString()).contains(".git/annex/objects/f9/Mw/");
        assertThatThrownBy(() -> HostRepository.open(tmp.resolve("nothing"))).hasMessageContaining("not a git repository");
    }
}
