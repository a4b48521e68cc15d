/**
 * What clients did, as an operator reads it: {@link org.annexhost.activity.Activity} keeps one line
 * per HTTP request and per P2P conversation in the host's log, appends every content change and
 * refusal to the repository's audit log ({@link org.annexhost.activity.AuditLog}), and knows the
 * transfers in flight and the recent failures the status page shows. The front doors report to it
 * (the HTTP server and {@link org.annexhost.activity.RecordedConnection} on the ssh path); it
 * knows nothing of stores, remotes or clusters, and never a password or token.
 */
package org.annexhost.activity;
