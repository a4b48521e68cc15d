/**
 * Remotes configured on the host. Their definitions are typed ({@code RemoteDefinition}: a
 * special remote a plugin opens, a git remote, or an onward remote behind a gateway), read from
 * git config plus the branch's remote.log; special remotes' private state and credentials, and
 * their publication to clients ({@code ConfiguredRemotes}); git
 * remotes, probed and recorded as git-annex records them ({@code GitRemotes}); clusters'
 * configuration beside them ({@code ClusterConfig} reads it, {@code ClusterSetup} writes it as
 * git-annex's initcluster, updatecluster and extendcluster do).
 */
package org.annexhost.remote;
