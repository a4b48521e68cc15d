package org.annexhost.p2p.client;

import java.io.IOException;
import org.annexhost.api.content.Content;

/** Receives downloaded content; must read it to the end or throw. */
@FunctionalInterface
public interface ContentSink {
    /**
     * @param content the bytes from the requested offset
     * @return true if the bytes were taken (the client then answers SUCCESS)
     */
    boolean accept(Content content) throws IOException;
}
