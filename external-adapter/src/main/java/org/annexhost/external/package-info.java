/**
 * The external adapter: runs {@code git-annex-remote-*} programs as storage backends, speaking the
 * external special remote protocol as git-annex does. Depends only on the plugin API.
 */
package org.annexhost.external;
