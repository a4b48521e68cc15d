package org.annexhost.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The host's users as their file keeps them: hashes only, tokens shown once, changes seen at once. */
class HostUsersTest {
    @TempDir
    Path dir;

    @Test
    void aPasswordAndATokenLogInAndNeitherIsInTheFile() throws Exception {
        HostUsers users = HostUsers.in(dir.resolve("users"));
        users.add("alice", Optional.of("correct horse"));
        String token = users.newToken("alice");
        assertThat(users.login("alice", "correct horse")).contains(new HostUsers.Login("alice", "password"));
        assertThat(users.login("alice", token)).contains(new HostUsers.Login("alice", "token"));
        assertThat(users.login("alice", "wrong")).isEmpty();
        assertThat(users.login("alice", token + "x")).isEmpty();
        assertThat(users.login("alice", "")).isEmpty();
        assertThat(users.login("bob", "correct horse")).isEmpty();
        String file = Files.readString(dir.resolve("users"));
        assertThat(file).doesNotContain("correct horse").doesNotContain(token.substring(13)).contains("$argon2id$v=19$");
        assertThat(Files.getPosixFilePermissions(dir.resolve("users")))
                .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
        assertThat(users.list()).singleElement().satisfies(u -> {
            assertThat(u.hasPassword()).isTrue();
            assertThat(u.tokenIds()).hasSize(1);
            assertThat(token).contains(u.tokenIds().get(0));
        });
    }

    @Test
    void anotherProcessRemovingAUserIsSeenOnTheNextLogin() throws Exception {
        HostUsers host = HostUsers.in(dir.resolve("users"));
        HostUsers command = HostUsers.in(dir.resolve("users"));
        command.add("bob", Optional.empty());
        String token = command.newToken("bob");
        assertThat(host.login("bob", token)).isPresent(); // remembered from here on
        command.remove("bob");
        Thread.sleep(StateFile.RECHECK_MILLIS + 20); // what a running host may hold of it is this stale at most
        assertThat(host.login("bob", token)).isEmpty();
        assertThat(host.any()).isFalse();
    }

    @Test
    void aTokenOfOneUserIsNotAnothersAndAUserWithoutPasswordHasNone() throws Exception {
        HostUsers users = HostUsers.in(dir.resolve("users"));
        users.add("a", Optional.empty());
        users.add("b", Optional.of("pw"));
        String ta = users.newToken("a");
        assertThat(users.login("b", ta)).isEmpty();
        assertThat(users.login("a", "pw")).isEmpty();
        assertThat(users.login("a", "")).isEmpty();
    }

    @Test
    void badNamesAndDuplicatesAreRefusedWithAReason() throws Exception {
        HostUsers users = HostUsers.in(dir.resolve("users"));
        for (String bad : new String[] {"anonymous", "", "a b", "a\tb", "-x", "x/y", "a".repeat(65)}) {
            assertThatThrownBy(() -> users.add(bad, Optional.empty())).as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("bad user name");
        }
        users.add("carol", Optional.empty());
        assertThatThrownBy(() -> users.add("carol", Optional.empty())).hasMessage("user carol exists");
        assertThatThrownBy(() -> users.newToken("dave")).hasMessage("no user dave");
        assertThatThrownBy(() -> users.remove("dave")).hasMessage("no user dave");
    }

    @Test
    void aHashIsSaltedAndADamagedOneVerifiesNothing() {
        String a = Secrets.hash("same");
        String b = Secrets.hash("same");
        assertThat(a).isNotEqualTo(b);
        assertThat(Secrets.verify("same", a)).isTrue();
        assertThat(Secrets.verify("same", b)).isTrue();
        assertThat(Secrets.verify("other", a)).isFalse();
        assertThat(Secrets.verify("same", a.replace("m=19456", "m=999999999"))).isFalse();
        assertThat(Secrets.verify("same", "$argon2id$v=19$garbage")).isFalse();
        assertThat(Secrets.verify("same", "plain")).isFalse();
    }
}
