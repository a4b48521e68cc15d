package org.annexhost.api.content;

import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;

/**
 * Content read from a file, which a transport may move to its destination straight from the
 * file (mapped) instead of copying it through the Java heap. Reading it as a stream works too;
 * whatever is moved out of band is reported with {@link #consumed(long)}, so counting stays exact.
 */
public interface FileBacked {
    /** @return the file, positioned at the next byte to deliver */
    FileChannel channel();

    /** Records that the next {@code n} bytes were delivered out of band. */
    void consumed(long n) throws IOException;

    /** @return true if the bytes really are in a file now (a wrapper may wrap something else) */
    default boolean inFile() {
        return true;
    }

    /** A file's bytes from its current position, as a stream and as a file. */
    final class Stream extends ForwardingInputStream implements FileBacked {
        private final FileChannel channel;

        /** @param channel an open file, positioned where the content starts; closed with the stream */
        public Stream(FileChannel channel) {
            super(Channels.newInputStream(channel));
            this.channel = channel;
        }

        @Override
        public FileChannel channel() {
            return channel;
        }

        @Override
        public void consumed(long n) throws IOException {
            channel.position(channel.position() + n);
        }
    }
}
