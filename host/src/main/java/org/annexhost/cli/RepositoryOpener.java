package org.annexhost.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import org.annexhost.lock.LockTable;
import org.annexhost.peer.PeerThreads;
import org.annexhost.p2p.server.ServerEvents;
import org.annexhost.repo.GitServices;
import org.annexhost.repo.HostRepository;
import org.annexhost.repo.RepositoryStore;
import org.annexhost.shell.ServedRepository;
import org.annexhost.time.MonotonicClock;

/** Wires a repository on disk to what the shell serves. */
final class RepositoryOpener implements ServedRepository.Opener {
    /**
     * git-annex's promise: a lock whose holder vanished holds for 10 minutes. An operator may
     * lengthen (or, for tests, shorten) it with {@code ANNEXHOST_LOCK_RETENTION} in seconds.
     */
    static final Duration LOCK_RETENTION = lockRetention(System.getenv("ANNEXHOST_LOCK_RETENTION"));

    static Duration lockRetention(String seconds) {
        if (seconds == null || seconds.isBlank()) {
            return Duration.ofMinutes(10);
        }
        try {
            return Duration.ofSeconds(Long.parseLong(seconds.trim()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("ANNEXHOST_LOCK_RETENTION must be a number of seconds, not \"" + seconds + "\"");
        }
    }

    @Override
    public ServedRepository open(Path directory) throws IOException {
        HostRepository repo = HostRepository.open(directory);
        LockTable locks = new LockTable(repo.hostDir().resolve("locks"), Clock.systemUTC(), LOCK_RETENTION);
        RepositoryStore store = new RepositoryStore(repo, locks, MonotonicClock.system(), Clock.systemUTC());
        GitServices services = new GitServices(repo);
        // Plugins load only when a client asks for a remote: plain repository access stays fast.
        HostSetup[] setup = {null};
        RepositoryPeers.Remotes remotes = () -> {
            synchronized (setup) {
                if (setup[0] == null) {
                    setup[0] = new HostSetup(repo);
                }
                return setup[0].served;
            }
        };
        // One conversation per shell: it is served in the shell's own thread, so these pools stay
        // empty unless a cluster or a proxied remote needs one.
        PeerThreads threads = new PeerThreads("shell", 64);
        PeerThreads lockThreads = new PeerThreads("shell-locks", 8);
        return new ServedHostRepository(repo, services, new RepositoryPeers(repo, store, services, remotes,
                MonotonicClock.system(), threads, lockThreads, peer -> ServerEvents.NONE), false, () -> {
                    // The command is done: plugins stop, what their remotes journalled is committed.
                    synchronized (setup) {
                        if (setup[0] != null) {
                            setup[0].close();
                        }
                    }
                    threads.close();
                    lockThreads.close();
                });
    }
}
