package org.annexhost.remote.git;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.annexhost.api.Uuid;
import org.junit.jupiter.api.Test;

/** How git remotes' urls are read: ssh and local for git-annex-shell, annex+http for the annex API. */
class RemoteUrlsTest {
    @Test
    void sshUrlsRunGitAnnexShellThereWithQuotedWords() {
        GitUrl u = GitUrl.parse("ssh://alice@nas:2222/~/annex/photos.git");
        assertThat(u.host()).contains("alice@nas");
        assertThat(u.port()).contains(2222);
        assertThat(u.path()).isEqualTo("~/annex/photos.git");
        assertThat(u.shellCommand(List.of("p2pstdio", "/a b's", "--uuid", "x")))
                .containsExactly("ssh", "-p", "2222", "alice@nas", "git-annex-shell 'p2pstdio' '/a b'\"'\"'s' --uuid 'x'");
        assertThat(GitUrl.parse("nas:photos.git").path()).isEqualTo("photos.git");
        assertThat(GitUrl.parse("/srv/photos.git").shellCommand(List.of("p2pstdio"))).containsExactly("git-annex-shell", "p2pstdio");
        assertThatThrownBy(() -> GitUrl.parse("ftp://nas/photos.git")).hasMessageContaining("ssh");
    }

    @Test
    void annexHttpUrlsKeepCredentialsOutOfSight() {
        AnnexHttpUrl u = AnnexHttpUrl.parse("annex+https://bob:p%40ss@lab.example:8443/git-annex");
        assertThat(u.base().toString()).isEqualTo("https://lab.example:8443/git-annex/");
        assertThat(u.userInfo()).contains("bob:p@ss");
        assertThat(u.toString()).doesNotContain("p@ss").doesNotContain("bob");
        Uuid r = new Uuid("aaaaaaaa-0000-0000-0000-000000000001");
        assertThat(u.resolve(r, "v4/checkpresent", "key=" + AnnexHttpUrl.encode("SHA256E-s1--ab c/d")).toString())
                .isEqualTo("https://lab.example:8443/git-annex/" + r + "/v4/checkpresent?key=SHA256E-s1--ab%20c%2Fd");
        assertThatThrownBy(() -> AnnexHttpUrl.parse("http://lab.example/")).hasMessageContaining("annex+http");
    }

    @Test
    void theServedConfigNamesUuidAndAnnexUrl() {
        String config = "[core]\n\tbare = true\n[annex]\n\tuuid = aaaaaaaa-0000-0000-0000-000000000001\n\tversion = 10\n"
                + "\turl = annex+http://h:1/git-annex/\n[remote \"x\"]\n\turl = http://elsewhere\n";
        assertThat(HttpRepositoryConfig.annexSetting(config, "uuid")).contains("aaaaaaaa-0000-0000-0000-000000000001");
        assertThat(HttpRepositoryConfig.annexSetting(config, "url")).contains("annex+http://h:1/git-annex/");
        assertThat(HttpRepositoryConfig.annexSetting("[core]\n\turl = x\n", "url")).isEmpty();
    }
}
