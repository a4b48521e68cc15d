package org.annexhost.status;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.annexhost.activity.Activity;

/**
 * The host at one moment.
 *
 * @param time when it was taken
 * @param version the build ({@code annexhost --version})
 * @param repositories what is served
 * @param transfers transfers in flight, oldest first
 * @param locksHeld content locks held for clients: HTTP's kept locks and ssh conversations' own
 * @param failures the last failures, newest first
 */
public record HostStatus(Instant time, String version, List<Repository> repositories, List<Activity.Transfer> transfers,
                         int locksHeld, List<Activity.Failure> failures) {
    /**
     * A served repository.
     *
     * @param name its name in urls
     * @param uuid its uuid
     * @param cloneUrl what {@code git clone} takes
     * @param annexUrl its {@code annex+http} url
     * @param remotes what it proxies
     */
    public record Repository(String name, String uuid, String cloneUrl, String annexUrl, List<Remote> remotes) {
    }

    /**
     * A remote or cluster a repository proxies.
     *
     * @param name its name (clients see it as {@code ORIGIN-NAME})
     * @param uuid its uuid
     * @param kind {@code cluster}, {@code git} or the special remote's type
     * @param nodes a cluster's nodes, each with how it last did its part
     * @param lastSeen how it last answered a client's request, if one reached it
     */
    public record Remote(String name, String uuid, String kind, List<Node> nodes, Optional<Activity.Seen> lastSeen) {
    }

    /**
     * A cluster's node.
     *
     * @param name its remote name
     * @param lastSeen how it last did its part of a request, if one reached it
     */
    public record Node(String name, Optional<Activity.Seen> lastSeen) {
    }

    /** @return this status with only the repository of this name, if served */
    public HostStatus only(String repository) {
        return new HostStatus(time, version, repositories.stream().filter(r -> r.name().equals(repository)).toList(),
                transfers.stream().filter(t -> t.place().repository().equals(repository)).toList(), locksHeld,
                failures.stream().filter(f -> f.repository().equals(repository)).toList());
    }

}
