package org.annexhost.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import org.annexhost.activity.Activity;
import org.annexhost.activity.Place;
import org.annexhost.api.Uuid;
import org.annexhost.proxy.NodeEvents;
import org.annexhost.http.HttpRepository;
import org.annexhost.http.Operations;
import org.annexhost.metrics.HostMetrics;
import org.annexhost.p2p.server.ServerEvents;
import org.annexhost.remote.ServedRemotes;
import org.annexhost.repo.HostRepository;
import org.annexhost.repo.branch.AnnexBranch;
import org.annexhost.status.HostStatus;

/**
 * What a running host tells and shows its operator, wired once by {@code serve}: its metrics and
 * activity, the repository (and remote) each served uuid is, the served repositories' remotes as
 * the status page lists them, and the observers each repository's parts report to (its protocol
 * servers, its clusters' nodes, its journal commits). Thread-safe.
 */
final class HostOperations implements AutoCloseable {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(HostOperations.class);

    final HostMetrics metrics;
    final Activity activity = new Activity(java.time.Clock.systemUTC());
    private final Map<Uuid, Place> places = new ConcurrentHashMap<>();
    private final Map<String, ServedRemotes> remotesByName = new ConcurrentHashMap<>();
    /** Where clients reach the host ({@code http://HOST:PORT}), once it listens. */
    private volatile String base = "";

    /** @param metrics the host's metrics, closed with these operations */
    HostOperations(HostMetrics metrics) {
        this.metrics = metrics;
    }

    /** @return what the HTTP server is given: these metrics and activity, and the status of the repositories */
    Operations forHttp(Map<String, HttpRepository> byName) {
        return new Operations(metrics, activity, u -> Optional.ofNullable(places.get(u)), () -> status(byName),
                BuildInfo.describe(), Optional.empty());
    }

    /** Sets where clients reach the host, for the urls the status page gives. */
    void listeningAt(String base) {
        this.base = base.replaceAll("/+$", "");
    }

    /**
     * One repository's observers: what its clusters' nodes report to, before the repository is
     * open (its place is known once {@link Repository#served} is called).
     */
    final class Repository {
        private final AtomicReference<Place> place = new AtomicReference<>();
        private final String name;

        /** @param name the name the repository is served by */
        Repository(String name) {
            this.name = name;
        }

        /** What the repository's remotes and clusters report to. */
        HostSetup.Observers observers() {
            return new HostSetup.Observers(nodes, remote -> metrics.backend(name, remote));
        }

        /** A cluster node's part: counted, and its failures shown as that node's state. */
        final NodeEvents nodes = (cluster, node, operation, ok, detail) -> {
            Place at = place.get();
            if (at == null) {
                return;
            }
            metrics.clusterNode(at.repository(), cluster, node, operation, ok);
            if (ok) {
                activity.seen(at.remote(node), true, "");
            } else {
                activity.failure(at.remote(node), operation + " on node " + node + " of cluster " + cluster, detail);
            }
        };

        /** @return what the protocol server of the peer of this name (the repository's or a remote's) reports to */
        ServerEvents server(String repository, String peer) {
            return metrics.server(repository, peer);
        }

        /**
         * The repository is served under this name, with these remotes: its uuids are placed, its
         * remotes listed on the status page, its journal measured.
         */
        void served(String name, HostRepository repo, ServedRemotes remotes) throws java.io.IOException {
            Place at = Place.repository(name, repo.gitDir());
            place.set(at);
            places.put(repo.uuid(), at);
            for (ServedRemotes.Listed l : remotes.listing()) {
                places.put(l.uuid(), at.remote(l.name()));
            }
            remotesByName.put(name, remotes);
            Path journal = repo.gitDir().resolve("annex/journal");
            metrics.repositoryGauge("annexhost.journal.pending", "git-annex branch files journalled, not yet committed", name,
                    () -> pendingJournalFiles(journal));
        }

        /** @return a commit of the repository's journal that is timed when it commits something */
        HttpRepository.BranchCommit timedCommit(String name, AnnexBranch branch) {
            return () -> {
                long start = System.nanoTime();
                if (branch.commit("update")) {
                    metrics.journalCommitted(name, System.nanoTime() - start);
                }
            };
        }
    }

    /** @return the served repositories as the status page lists them */
    private List<HostStatus.Repository> status(Map<String, HttpRepository> byName) {
        List<HostStatus.Repository> out = new ArrayList<>();
        for (HttpRepository r : new java.util.TreeMap<>(byName).values()) {
            List<HostStatus.Remote> remotes = new ArrayList<>();
            ServedRemotes served = remotesByName.get(r.name());
            List<ServedRemotes.Listed> listed;
            try {
                listed = served == null ? List.of() : served.listing();
            } catch (java.io.IOException e) {
                listed = List.of();
                LOG.warn("{}: cannot list its remotes for the status page: {}", r.name(), e.getMessage());
            }
            for (ServedRemotes.Listed l : listed) {
                remotes.add(new HostStatus.Remote(l.name(), l.uuid().value(), l.kind(),
                        l.nodes().stream().map(n -> new HostStatus.Node(n, activity.lastSeen(r.name(), n))).toList(),
                        activity.lastSeen(r.name(), l.name())));
            }
            out.add(new HostStatus.Repository(r.name(), r.uuid().value(), base + "/" + r.name(), "annex+" + base + "/git-annex/",
                    remotes));
        }
        return out;
    }

    /** @return how many files the journal holds (0 if it has no directory) */
    private static long pendingJournalFiles(Path journal) {
        try (java.util.stream.Stream<Path> files = Files.list(journal)) {
            return files.count();
        } catch (java.io.IOException noJournalYet) {
            return 0;
        }
    }

    @Override
    public void close() {
        metrics.close();
    }
}
