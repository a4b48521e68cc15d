package org.annexhost.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.annexhost.api.Uuid;
import org.annexhost.api.key.Key;
import org.annexhost.repo.Git;
import org.annexhost.repo.HostRepository;
import org.annexhost.repo.branch.AnnexBranch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Location knowledge kept in a real repository's git-annex branch. */
class BranchKnowledgeTest {
    @TempDir
    Path tmp;

    private static final Key KEY = Key.parse("SHA256E-s5--2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824.txt");

    @Test
    void recordsAreJournalledAndAPutAndARemoveMakeOneCommitTogether() throws Exception {
        HostRepository repo = HostRepository.init(tmp.resolve("g.git"), Optional.of("gateway"));
        Git git = repo.git();
        BranchKnowledge knowledge = new BranchKnowledge(repo.branch(), Clock.fixed(Instant.ofEpochSecond(1_700_000_000), ZoneOffset.UTC));
        List<Uuid> nodes = List.of(Uuid.random(), Uuid.random(), Uuid.random());
        int commitsBefore = commits(git);

        knowledge.recordAll(KEY, nodes, true);
        assertThat(commits(git)).as("journalled, not committed").isEqualTo(commitsBefore);
        assertThat(knowledge.locations(KEY)).containsExactlyInAnyOrderElementsOf(nodes);

        knowledge.recordAll(KEY, nodes.subList(0, 2), false);
        assertThat(knowledge.locations(KEY)).containsExactly(nodes.get(2));
        assertThat(repo.branch().commit("update")).isTrue();
        assertThat(commits(git)).isEqualTo(commitsBefore + 1);
        assertThat(repo.branch().journalDirty()).isFalse();
        assertThat(knowledge.locations(KEY)).as("read from the branch now").containsExactly(nodes.get(2));

        knowledge.recordAll(KEY, List.of(), true);
        assertThat(repo.branch().commit("update")).as("nothing to record, no commit").isFalse();
        assertThat(commits(git)).isEqualTo(commitsBefore + 1);
    }

    private static int commits(Git git) throws Exception {
        return Integer.parseInt(git.run("rev-list", "--count", AnnexBranch.REF).strip());
    }
}
