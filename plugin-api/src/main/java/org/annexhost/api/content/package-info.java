/**
 * Content in transit: a declared length plus a stream, and the decorators that count, limit and
 * verify it, all built on {@link org.annexhost.api.content.ForwardingInputStream}. Depends only
 * on {@code org.annexhost.api.key}.
 */
package org.annexhost.api.content;
