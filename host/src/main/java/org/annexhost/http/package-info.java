/**
 * HTTP: the annex API of p2p_protocol_over_http.mdwn and git smart HTTP on one port, served by
 * Jetty. An adapter: authentication maps to the protocol's server mode once per request, and the
 * request drives the protocol core through a conversation, pooled per peer and rights, with the
 * peer the resolver gives for those rights; the core knows nothing of HTTP. The same port answers
 * operators' {@code /healthz} and {@code /readyz} ({@link org.annexhost.http.Health}).
 */
package org.annexhost.http;
