/**
 * Storage plugins: loading them with PF4J, checking their API version, and the registry of remote
 * types they provide. The only package that knows PF4J's plugin manager.
 */
package org.annexhost.plugin;
