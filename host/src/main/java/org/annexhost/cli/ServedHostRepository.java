package org.annexhost.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import org.annexhost.api.Uuid;
import org.annexhost.p2p.server.LocalStore;
import org.annexhost.p2p.server.RepositoryServices;
import org.annexhost.peer.Peer;
import org.annexhost.remote.ServedRemotes;
import org.annexhost.repo.HostRepository;
import org.annexhost.shell.ServedRepository;

/**
 * A host repository as the shell serves it: its store, its git services, and the remotes it
 * proxies, found through {@link ServedRemotes} (loaded when first asked for, so plain repository
 * access does not load plugins). Thread-safe when its parts are.
 */
final class ServedHostRepository implements ServedRepository {
    /** Finds the remotes the repository proxies; called only when a client asks for one. */
    interface Remotes {
        ServedRemotes get() throws IOException;
    }

    private final HostRepository repo;
    private final LocalStore store;
    private final RepositoryServices services;
    private final Remotes remotes;
    private final boolean commitsOnItsOwn;

    /**
     * @param commitsOnItsOwn true when a running host commits the journal on a schedule and
     *     before every fetch: a conversation's end then need not wait for a commit
     */
    ServedHostRepository(HostRepository repo, LocalStore store, RepositoryServices services, Remotes remotes,
                         boolean commitsOnItsOwn) {
        this.repo = repo;
        this.store = store;
        this.services = services;
        this.remotes = remotes;
        this.commitsOnItsOwn = commitsOnItsOwn;
    }

    @Override
    public Uuid uuid() {
        return repo.uuid();
    }

    @Override
    public Path gitDir() {
        return repo.gitDir();
    }

    @Override
    public String configList() throws IOException {
        return repo.configList();
    }

    @Override
    public void commitBranch() throws IOException {
        if (!commitsOnItsOwn) {
            repo.branch().commit("update");
        }
    }

    @Override
    public LocalStore store() {
        return store;
    }

    @Override
    public RepositoryServices services() {
        return services;
    }

    @Override
    public Optional<LocalStore> proxiedStore(Uuid uuid) throws IOException {
        return remotes.get().proxiedStore(uuid);
    }

    @Override
    public Optional<Peer> proxiedRepository(Uuid uuid) throws IOException {
        return remotes.get().proxiedRepository(uuid);
    }
}
