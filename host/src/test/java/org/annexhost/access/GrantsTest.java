package org.annexhost.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The one rule for rights: a remote's grant, else the repository's; a user never below anonymous. */
class GrantsTest {
    @TempDir
    Path git;

    @Test
    void aRemoteGrantNarrowsOrWidensTheRepositorysAndNoGrantIsNoRight() throws Exception {
        Files.createDirectories(git.resolve("annex"));
        Grants g = Grants.of(git);
        assertThat(g.rightOf(Optional.of("alice"), Optional.empty())).isEqualTo(Right.NONE);
        assertThat(g.any()).isFalse();
        g.grant("alice", Optional.empty(), Right.APPEND);
        g.grant("alice", Optional.of("nas"), Right.READ);
        g.grant("alice", Optional.of("cloud"), Right.FULL);
        assertThat(g.rightOf(Optional.of("alice"), Optional.empty())).isEqualTo(Right.APPEND);
        assertThat(g.rightOf(Optional.of("alice"), Optional.of("nas"))).isEqualTo(Right.READ);
        assertThat(g.rightOf(Optional.of("alice"), Optional.of("cloud"))).isEqualTo(Right.FULL);
        assertThat(g.rightOf(Optional.of("alice"), Optional.of("other"))).isEqualTo(Right.APPEND);
        assertThat(g.rightOf(Optional.of("bob"), Optional.empty())).isEqualTo(Right.NONE);
        assertThat(g.rightOf(Optional.empty(), Optional.empty())).isEqualTo(Right.NONE);
    }

    @Test
    void anonymousIsEveryonesFloorAndNoneOnARemoteShutsItForThatUserOnly() throws Exception {
        Grants g = Grants.of(git);
        g.grant("anonymous", Optional.empty(), Right.READ);
        g.grant("bob", Optional.empty(), Right.FULL);
        g.grant("bob", Optional.of("nas"), Right.NONE);
        assertThat(g.rightOf(Optional.of("carol"), Optional.empty())).isEqualTo(Right.READ);
        assertThat(g.rightOf(Optional.of("bob"), Optional.empty())).isEqualTo(Right.FULL);
        // bob's "none" on nas takes away his own right there, not anonymous's.
        assertThat(g.rightOf(Optional.of("bob"), Optional.of("nas"))).isEqualTo(Right.READ);
        g.grant("anonymous", Optional.of("nas"), Right.NONE);
        assertThat(g.rightOf(Optional.of("bob"), Optional.of("nas"))).isEqualTo(Right.NONE);
        g.revoke("bob", Optional.of("nas"));
        assertThat(g.rightOf(Optional.of("bob"), Optional.of("nas"))).isEqualTo(Right.FULL);
        assertThat(g.list()).extracting(Grants.Grant::principal).containsExactly("anonymous", "anonymous", "bob");
    }

    @Test
    void aGrantReplacesTheOldOneAndAnotherWriterIsSeenAtOnce() throws Exception {
        Grants reader = Grants.of(git);
        Grants writer = Grants.of(git);
        writer.grant("alice", Optional.empty(), Right.FULL);
        assertThat(reader.rightOf(Optional.of("alice"), Optional.empty())).isEqualTo(Right.FULL);
        writer.grant("alice", Optional.empty(), Right.READ);
        Thread.sleep(StateFile.RECHECK_MILLIS + 20);
        assertThat(reader.rightOf(Optional.of("alice"), Optional.empty())).isEqualTo(Right.READ);
        assertThat(reader.list()).hasSize(1);
    }

    @Test
    void badWordsAndNamesAreRefused() {
        assertThatThrownBy(() -> Right.parse("admin")).hasMessageContaining("expected none, read, append or full");
        assertThat(Right.parse("readonly")).isEqualTo(Right.READ);
        assertThat(Right.parse(" Full ")).isEqualTo(Right.FULL);
        Grants g = Grants.of(git);
        assertThatThrownBy(() -> g.grant("a\tb", Optional.empty(), Right.READ)).hasMessageContaining("bad user name");
        assertThatThrownBy(() -> g.grant("alice", Optional.of("a\nb"), Right.READ)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> g.grant("alice", Optional.of("."), Right.READ)).hasMessageContaining("bad remote name");
    }
}
