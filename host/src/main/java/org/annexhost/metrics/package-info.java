/**
 * Metrics: {@link org.annexhost.metrics.HostMetrics} keeps what the running host measures
 * (Micrometer, Prometheus text at {@code /metrics}). It observes the protocol core through
 * {@link org.annexhost.p2p.server.ServerEvents} and is fed by the HTTP server; it knows nothing of
 * stores, remotes or clusters.
 */
package org.annexhost.metrics;
