package org.annexhost.repo;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The configuration snapshot against a real repository and the real git. */
class GitConfigTest {
    @TempDir
    Path tmp;

    @Test
    void answersAsGitConfigGetAndGetRegexpDo() throws Exception {
        Git git = HostRepository.init(tmp.resolve("r.git"), Optional.of("r")).git();
        git.run("config", "remote.Node-A.annex-uuid", "u-a");
        git.run("config", "remote.Node-A.annexUrl", "annex+http://a/");
        git.run("config", "--add", "remote.Node-A.fetch", "one");
        git.run("config", "--add", "remote.Node-A.fetch", "two");
        git.run("config", "remote.b.annex-uuid", "u-b");

        GitConfig c = git.config();
        assertThat(c.get("remote.Node-A.annex-uuid")).contains("u-a");
        assertThat(c.get("REMOTE.Node-A.ANNEXURL")).as("section and variable names ignore case").contains("annex+http://a/");
        assertThat(c.get("remote.node-a.annex-uuid")).as("subsection names do not").isEmpty();
        assertThat(c.get("remote.Node-A.fetch")).as("the last of several values, as --get").contains("two");
        assertThat(c.get("remote.missing.url")).isEmpty();
        assertThat(c.matching("^remote\\..*\\.annex-uuid$")).extracting(GitConfig.Entry::key, GitConfig.Entry::value)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("remote.Node-A.annex-uuid", "u-a"),
                        org.assertj.core.groups.Tuple.tuple("remote.b.annex-uuid", "u-b"));
        assertThat(c.get("annex.uuid")).isEqualTo(git.outputIfSucceeds("config", "--get", "annex.uuid").map(String::strip));
    }

    @Test
    void aSnapshotIsReusedUntilTheFileChangesByWhateverMeans() throws Exception {
        Path dir = tmp.resolve("r.git");
        Git git = HostRepository.init(dir, Optional.of("r")).git();
        GitConfig first = git.config();
        assertThat(git.config()).as("unchanged files: the same snapshot").isSameAs(first);

        git.run("config", "annexhost.x", "1");
        assertThat(git.config().get("annexhost.x")).contains("1");

        // Another program rewrites the file with the same length: still seen.
        Path file = dir.resolve("config");
        Files.writeString(file, Files.readString(file).replace("x = 1", "x = 2"));
        assertThat(git.config().get("annexhost.x")).contains("2");

        // A file that includes others is read afresh every time, since they are not watched.
        Path other = tmp.resolve("other.config");
        Files.writeString(other, "[annexhost]\n\ty = a\n");
        git.run("config", "include.path", other.toString());
        assertThat(git.config().get("annexhost.y")).contains("a");
        Files.writeString(other, "[annexhost]\n\ty = b\n");
        assertThat(git.config().get("annexhost.y")).contains("b");
    }
}
