package org.annexhost.cli;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import org.annexhost.api.Uuid;
import org.annexhost.p2p.server.RepositoryServices;
import org.annexhost.peer.PeerResolver;
import org.annexhost.repo.HostRepository;
import org.annexhost.shell.ServedRepository;

/**
 * A host repository as the shell serves it: its git services, and its peers (the repository and
 * the remotes it proxies, decided by {@link RepositoryPeers}). Thread-safe when its parts are.
 */
final class ServedHostRepository implements ServedRepository {
    private final HostRepository repo;
    private final RepositoryServices services;
    private final RepositoryPeers peers;
    private final boolean commitsOnItsOwn;
    private final Closeable opened;

    /**
     * @param commitsOnItsOwn true when a running host commits the journal on a schedule and
     *     before every fetch: a conversation's end then need not wait for a commit
     */
    ServedHostRepository(HostRepository repo, RepositoryServices services, RepositoryPeers peers,
                         boolean commitsOnItsOwn) {
        this(repo, services, peers, commitsOnItsOwn, () -> { });
    }

    /** @param opened closed with this: what was opened for one command only */
    ServedHostRepository(HostRepository repo, RepositoryServices services, RepositoryPeers peers,
                         boolean commitsOnItsOwn, Closeable opened) {
        this.repo = repo;
        this.services = services;
        this.peers = peers;
        this.commitsOnItsOwn = commitsOnItsOwn;
        this.opened = opened;
    }

    @Override
    public void close() throws IOException {
        opened.close();
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
    public RepositoryServices services() {
        return services;
    }

    @Override
    public PeerResolver peers() {
        return peers;
    }
}
