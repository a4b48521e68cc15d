/**
 * HTTP: the annex API of p2p_protocol_over_http.mdwn and git smart HTTP on one port, served by
 * Jetty. An adapter: each request drives the protocol core through a pooled conversation with a
 * peer; the core knows nothing of HTTP.
 */
package org.annexhost.http;
