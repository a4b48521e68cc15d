package org.annexhost.p2p.client;

import java.io.IOException;
import org.annexhost.api.content.Content;

/** Supplies content to upload, from the offset the server asked for. */
@FunctionalInterface
public interface ContentSource {
    /** @return the content from {@code offset} to the end */
    Content from(long offset) throws IOException;
}
