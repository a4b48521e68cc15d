/**
 * Content in transit: a declared length plus a stream, and the decorators that count and verify
 * it. Depends only on {@code org.annexhost.api.key}.
 */
package org.annexhost.api.content;
