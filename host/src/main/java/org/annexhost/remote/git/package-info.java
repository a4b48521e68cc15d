/**
 * Other git-annex repositories (or gateways) behind the host, reached as git-annex reaches them:
 * {@code git-annex-shell p2pstdio} over ssh, or run locally for a path.
 */
package org.annexhost.remote.git;
