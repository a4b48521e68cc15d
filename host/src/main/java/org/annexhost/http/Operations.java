package org.annexhost.http;

import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import org.annexhost.activity.Activity;
import org.annexhost.activity.Place;
import org.annexhost.api.Uuid;
import org.annexhost.metrics.HostMetrics;
import org.annexhost.status.HostStatus;

/**
 * What the HTTP server tells and shows an operator, given by the composition root: where its
 * measures go, where requests and content changes are recorded, which repository (and remote of
 * it) each served uuid is, and the served repositories as the status page lists them.
 *
 * @param metrics the host's metrics ({@code /metrics})
 * @param activity the host's activity (request lines, audit log, transfers, failures)
 * @param places the repository and remote each served uuid is, for the logs
 * @param repositories the served repositories as the status page lists them
 * @param version the build, as {@code --version} names it
 * @param operatorBind an address of its own where metrics, status and health are served to
 *     anyone who reaches it, without a token ({@code --metrics-bind}); nothing else is served there
 */
public record Operations(HostMetrics metrics, Activity activity, Function<Uuid, Optional<Place>> places,
                         Supplier<List<HostStatus.Repository>> repositories, String version,
                         Optional<java.net.InetSocketAddress> operatorBind) {
    /** @return operations that record into their own metrics and activity, and know no repository */
    public static Operations standalone(HostMetrics metrics) {
        return new Operations(metrics, new Activity(java.time.Clock.systemUTC()), u -> Optional.empty(), List::of, "annexhost",
                Optional.empty());
    }

    /** @return these operations, with metrics, status and health also served at this address to anyone */
    public Operations withOperatorBind(java.net.InetSocketAddress address) {
        return new Operations(metrics, activity, places, repositories, version, Optional.of(address));
    }
}
