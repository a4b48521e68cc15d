/**
 * The stable contract between the annexhost host and storage plugins. Depends on nothing but the
 * JDK.
 */
package org.annexhost.api;
