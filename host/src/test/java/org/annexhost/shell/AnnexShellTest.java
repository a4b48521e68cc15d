package org.annexhost.shell;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.annexhost.api.Uuid;
import org.annexhost.p2p.server.ProtocolServer;
import org.annexhost.p2p.server.RepositoryServices;
import org.annexhost.p2p.transport.InMemoryConnection;
import org.annexhost.peer.LocalPeer;
import org.annexhost.peer.PeerResolver;
import org.annexhost.peer.PeerThreads;
import org.annexhost.testing.FakeMonotonicClock;
import org.annexhost.testing.MemoryStore;
import org.junit.jupiter.api.Test;

class AnnexShellTest {
    static final Uuid UUID = new Uuid("aaaaaaaa-1111-2222-3333-444444444444");
    static final RepositoryServices SERVICES = new RepositoryServices() {
        public Process startService(org.annexhost.p2p.message.GitService service,
                                    org.annexhost.p2p.server.ServerMode mode) throws java.io.IOException {
            throw new java.io.IOException("no git in this test");
        }

        public java.util.List<String> awaitRefChange(java.time.Duration maxWait, java.util.function.BooleanSupplier giveUp) {
            return java.util.List.of();
        }
    };
    final MemoryStore store = new MemoryStore(new FakeMonotonicClock(0), 600);
    final PeerThreads threads = new PeerThreads("shell-test", 4);
    Path opened;

    ServedRepository.Opener opener() {
        return dir -> {
            opened = dir;
            return new ServedRepository() {
                public Uuid uuid() {
                    return UUID;
                }

                public Path gitDir() {
                    return dir;
                }

                public String configList() {
                    return "annex.uuid=" + UUID + "\n";
                }

                public RepositoryServices services() {
                    return SERVICES;
                }

                public PeerResolver peers() {
                    // The repository itself, and nothing it proxies.
                    LocalPeer own = new LocalPeer("test", new ProtocolServer(UUID, store,
                            ProtocolServer.Options.of(new FakeMonotonicClock(5)).services(SERVICES)),
                            threads, InMemoryConnection.Timeouts.DEFAULT);
                    return (uuid, rights) -> uuid.equals(UUID) ? Optional.of(own.narrowedTo(rights)) : Optional.empty();
                }
            };
        };
    }

    private String run(Map<String, String> env, String stdin, String... args) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ShellPolicy policy = ShellPolicy.fromEnvironment(Map.of("HOME", "/home/u").entrySet().stream()
                .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue, (a, b) -> a,
                        () -> new java.util.HashMap<>(env))));
        int code = new AnnexShell(policy, opener(),
                new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), out)
                .run(ShellCommandLine.parse(List.of(args)));
        assertThat(code).isZero();
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void parsesWhatSshHandsOver() throws Exception {
        ShellCommandLine l = ShellCommandLine.parse(List.of("-c",
                "git-annex-shell 'p2pstdio' '/srv/my repo' 'client-uuid' --uuid server-uuid -- remoteuuid=x --"));
        assertThat(l.command()).isEqualTo("p2pstdio");
        assertThat(l.directory()).contains("/srv/my repo");
        assertThat(l.params()).containsExactly("client-uuid");
        assertThat(l.uuid()).contains("server-uuid");
        assertThat(ShellCommandLine.parse(List.of("configlist", "/x", "--uuid=u")).uuid()).contains("u");
        assertThatThrownBy(() -> ShellCommandLine.parse(List.of("-c", "git-annex-shell 'p2pstdio"))).hasMessageContaining("unterminated");
        assertThatThrownBy(() -> ShellCommandLine.parse(List.of())).hasMessageContaining("no command");
    }

    @Test
    void configListResolvesHomeRelativePaths() throws Exception {
        assertThat(run(Map.of(), "", "-c", "git-annex-shell 'configlist' '~/annex.git'")).isEqualTo("annex.uuid=" + UUID + "\n");
        assertThat(opened).isEqualTo(Path.of("/home/u/annex.git"));
        run(Map.of(), "", "configlist", "/~/b.git");
        assertThat(opened).isEqualTo(Path.of("/home/u/b.git"));
    }

    @Test
    void p2pstdioSpeaksFirstAndServes() throws Exception {
        String out = run(Map.of(), "VERSION 4\nCHECKPRESENT WORM--x\n", "p2pstdio", "/r", "client", "--uuid", UUID.value());
        assertThat(out).isEqualTo("AUTH-SUCCESS " + UUID + "\nVERSION 4\nFAILURE\n");
    }

    @Test
    void p2pstdioRefusesAnotherUuidWithGitAnnexsWords() {
        assertThatThrownBy(() -> run(Map.of(), "", "p2pstdio", "/r", "client", "--uuid", "other"))
                .hasMessage("expected repository UUID other but found UUID " + UUID);
    }

    @Test
    void readOnlyEnvironmentRefusesPut() throws Exception {
        String out = run(Map.of("GIT_ANNEX_SHELL_READONLY", "1"), "PUT f WORM--x\n", "p2pstdio", "/r", "client");
        assertThat(out).endsWith("ERROR this repository is read-only; write access denied\n");
    }

    @Test
    void directoryLimitIsEnforced() {
        assertThatThrownBy(() -> run(Map.of("GIT_ANNEX_SHELL_DIRECTORY", "/srv/a.git"), "", "configlist", "/srv/b.git"))
                .hasMessage("Only allowed to access /srv/a.git not /srv/b.git");
    }

    @Test
    void limitedRefusesGitAndReadOnlyRefusesPush() {
        assertThatThrownBy(() -> run(Map.of("GIT_ANNEX_SHELL_LIMITED", "1"), "", "-c", "git-upload-pack '/r'"))
                .hasMessage("Action blocked by GIT_ANNEX_SHELL_LIMITED");
        assertThatThrownBy(() -> run(Map.of("GIT_ANNEX_SHELL_READONLY", "1"), "", "-c", "git-receive-pack '/r'"))
                .hasMessage("Action blocked by GIT_ANNEX_SHELL_READONLY");
    }

    @Test
    void unknownAndLegacyCommandsAreRefusedClearly() {
        assertThatThrownBy(() -> run(Map.of(), "", "frobnicate", "/r")).hasMessageContaining("unknown command frobnicate");
        assertThatThrownBy(() -> run(Map.of(), "", "sendkey", "/r", "KEY")).hasMessageContaining("not supported by annexhost");
        assertThatThrownBy(() -> run(Map.of(), "", "p2pstdio")).hasMessageContaining("needs a repository directory");
        assertThatThrownBy(() -> run(Map.of(), "", "p2pstdio", "/r")).hasMessageContaining("missing UUID parameter");
    }

    @Test
    void emptyVariablesDoNotCount() {
        assertThat(ShellPolicy.fromEnvironment(Map.of("GIT_ANNEX_SHELL_READONLY", "")).readOnly()).isFalse();
        assertThat(ShellPolicy.fromEnvironment(Map.of("GIT_ANNEX_SHELL_DIRECTORY", "")).directory()).isEqualTo(Optional.empty());
    }

    @Test
    void aUsersGrantsAreNarrowedByTheEnvironmentNeverWidened(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        org.annexhost.access.HostUsers users = org.annexhost.access.HostUsers.in(tmp.resolve("users"));
        users.add("alice", Optional.empty());
        Path git = java.nio.file.Files.createDirectories(tmp.resolve("r.git/annex")).getParent();
        org.annexhost.access.Grants.of(git).grant("alice", Optional.empty(), org.annexhost.access.Right.FULL);
        org.annexhost.access.Grants.of(git).grant("alice", Optional.of("nas"), org.annexhost.access.Right.READ);
        ShellPolicy open = ShellPolicy.fromEnvironment(Map.of()).withUser(Optional.of("alice"), users);
        ShellPolicy appendOnly = ShellPolicy.fromEnvironment(Map.of("GIT_ANNEX_SHELL_APPENDONLY", "1"))
                .withUser(Optional.of("alice"), users);
        assertThat(open.rightIn(git, Optional.empty())).isEqualTo(org.annexhost.access.Right.FULL);
        assertThat(open.rightIn(git, Optional.of("nas"))).isEqualTo(org.annexhost.access.Right.READ);
        assertThat(appendOnly.rightIn(git, Optional.empty())).isEqualTo(org.annexhost.access.Right.APPEND);
        assertThat(appendOnly.rightIn(git, Optional.of("nas"))).isEqualTo(org.annexhost.access.Right.READ);
        assertThatThrownBy(() -> ShellPolicy.fromEnvironment(Map.of()).withUser(Optional.of("mallory"), users)
                .rightIn(git, Optional.empty())).hasMessage("no such annexhost user: mallory");
        org.annexhost.access.Grants.of(git).grant("alice", Optional.of("nas"), org.annexhost.access.Right.NONE);
        assertThatThrownBy(() -> open.rightIn(git, Optional.of("nas"))).hasMessage("Action blocked: alice has no access to remote nas");
        // Without --user, the account keeps the environment's rights, whatever is granted.
        assertThat(ShellPolicy.fromEnvironment(Map.of()).rightIn(git, Optional.of("nas"))).isEqualTo(org.annexhost.access.Right.FULL);
    }

    @Test
    void theUserOptionComesOnlyFromTheShellsOwnArguments() throws Exception {
        assertThat(ShellCommandLine.Arguments.of(List.of("--user", "alice", "-c", "git-annex-shell configlist /r")))
                .isEqualTo(new ShellCommandLine.Arguments(Optional.of("alice"), List.of("-c", "git-annex-shell configlist /r")));
        assertThat(ShellCommandLine.Arguments.of(List.of("--user=bob")).user()).contains("bob");
        assertThat(ShellCommandLine.Arguments.of(List.of("-c", "git-annex-shell --user root configlist /r")).user()).isEmpty();
        assertThatThrownBy(() -> ShellCommandLine.Arguments.of(List.of("--user"))).hasMessageContaining("--user needs a user name");
    }
}
