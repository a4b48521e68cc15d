/**
 * git-annex's chunking, done once by the host for every backend: a key's content stored as
 * numbered chunk keys of a fixed size, the chunk log in the branch saying which chunkings exist.
 */
package org.annexhost.remote.chunk;
