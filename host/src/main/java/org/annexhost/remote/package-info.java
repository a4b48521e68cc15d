/**
 * Special remotes configured on the host: their definitions (git config plus the branch's
 * remote.log), their private state and credentials, and their publication to clients; git
 * remotes, probed and recorded as git-annex records them ({@code GitRemotes}); clusters'
 * configuration beside them ({@code ClusterConfig} reads it, {@code ClusterSetup} writes it as
 * git-annex's initcluster, updatecluster and extendcluster do).
 */
package org.annexhost.remote;
