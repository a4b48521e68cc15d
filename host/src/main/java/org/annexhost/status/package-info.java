/**
 * The host's status, as an operator looks at it: {@link org.annexhost.status.HostStatus} is one
 * snapshot (repositories with their urls, remotes and clusters with how each last answered, transfers
 * in flight, locks held, recent failures), built by the composition root from what it serves and
 * the host's {@link org.annexhost.activity.Activity}; {@link org.annexhost.status.StatusViews}
 * renders it as the HTML page at {@code /} (no JavaScript), JSON and text, the latter two also
 * for {@code annexhost status}.
 */
package org.annexhost.status;
