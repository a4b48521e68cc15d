/** The directory storage plugin: git-annex's directory special remote layout. Depends only on plugin-api. */
package org.annexhost.plugins.directory;
