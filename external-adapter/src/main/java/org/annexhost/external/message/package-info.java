/**
 * The external special remote protocol's vocabulary, one sealed family per direction, and its
 * line codec. Depends on nothing but the JDK.
 */
package org.annexhost.external.message;
