package org.annexhost.p2p.server;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.annexhost.api.Uuid;
import org.annexhost.api.content.Content;
import org.annexhost.api.key.Key;
import org.annexhost.p2p.message.AssociatedFile;

/**
 * What a repository does locally for the protocol server: report, read, receive, lock and remove
 * content. The protocol code never touches storage except through this interface, and code that
 * must never touch storage (a proxy) is simply not given one. One method per verb, and no more: a
 * store that speaks for several repositories (a cluster) says which it reached in the outcome of
 * the ordinary verbs ({@link Reach}), so a decorator that forwards the verbs forwards everything.
 *
 * <p>Implementations are thread-safe: one store serves every connection of a process.
 */
public interface LocalStore {
    /** @return true if the whole content of the key is present */
    boolean isPresent(Key key) throws IOException;

    /** @return the size of the key's content, if the whole content is present */
    OptionalLong contentSize(Key key) throws IOException;

    /**
     * Opens the content for reading from an offset.
     *
     * @return the stream positioned at the offset, or empty if the content is not present
     */
    Optional<InputStream> openContent(Key key, long offset) throws IOException;

    /**
     * Reads the key's content from an offset, with its remaining length. Stores where presence,
     * size and reading are separate round trips (remote backends) do it in one.
     *
     * @return the content from the offset (empty content past the end), or empty if not present
     */
    default Optional<Content> read(Key key, long offset) throws IOException {
        OptionalLong size = contentSize(key);
        if (size.isEmpty()) {
            return Optional.empty();
        }
        long length = Math.max(0, size.getAsLong() - offset);
        if (length == 0) {
            return Optional.of(Content.empty());
        }
        return openContent(key, offset).map(in -> new Content(length, in));
    }

    /**
     * Starts receiving the key's content (PUT), resuming from what an earlier, interrupted upload
     * left. Only one upload of a key runs at a time; this waits (bounded) for another to finish.
     *
     * @param file the file the client associates with the key (a store that decides where
     *     content goes matches preferred content against it; most ignore it)
     * @throws IOException if another upload of the same key holds it past the wait
     */
    Upload beginUpload(Key key, AssociatedFile file) throws IOException;

    /**
     * What a change did: whether it succeeded, and the repositories beyond this one it reached
     * (none for a store that is one repository; a store that speaks for several names them, for
     * the PLUS replies).
     *
     * @param ok whether it succeeded as a whole
     * @param uuids the repositories beyond this one that it reached
     * @param error a message to answer with ERROR, when it failed and reached none
     */
    record Reach(boolean ok, List<Uuid> uuids, Optional<String> error) {
        /** Checks the parts are there. */
        public Reach {
            uuids = List.copyOf(uuids);
            java.util.Objects.requireNonNull(error, "error");
        }

        /** @return the outcome of a store that is one repository */
        public static Reach of(boolean ok) {
            return new Reach(ok, List.of(), Optional.empty());
        }
    }

    /**
     * BYPASS: the store as a conversation that names gateways to avoid sees it. Only a store that
     * reaches other repositories through gateways (a cluster) has anything to leave out.
     *
     * @param gateways uuids of gateways not to go through
     * @return the store to serve the rest of the conversation from
     */
    default LocalStore bypassing(List<Uuid> gateways) {
        return this;
    }

    /**
     * Locks present content against removal, with retention if the holder dies.
     *
     * @return the held lock, or empty if the content is not present or cannot be locked
     */
    Optional<ContentLock> lockContent(Key key) throws IOException;

    /**
     * Removes the key's content (REMOVE, or with a deadline REMOVE-BEFORE); succeeds if it was
     * not present.
     *
     * @param deadlineSeconds if present, the remove must fail unless it happens before this
     *     monotonic time, checked after the content is locked for removal
     * @return ok if the content is no longer present; not ok if locked, too late, or failed
     */
    Reach remove(Key key, OptionalLong deadlineSeconds) throws IOException;

    /** An upload in progress. One per PUT; not thread-safe. */
    interface Upload extends AutoCloseable {
        /** @return how many bytes an earlier interrupted upload already stored: the PUT-FROM offset */
        long offset();

        /**
         * Asked with the upload held, before any data (so a concurrent upload of the same key is
         * seen): does the store already have the key?
         *
         * @return empty to receive the content; else the repositories beyond this one that have
         *     it, for ALREADY-HAVE-PLUS (none for a store that is one repository)
         */
        Optional<List<Uuid>> alreadyStored() throws IOException;

        /**
         * Appends received bytes after {@link #offset()}. The content's stream is read to its end
         * (it is counted: short or long content throws); if it throws, what was written so far
         * may stay for a later resume but is never visible as the key's content.
         */
        void write(Content data) throws IOException;

        /**
         * Checks the received content and, if it is complete and (for hashing keys) verifies,
         * moves it into place.
         *
         * @param senderSaysValid the sender's VALID (true), INVALID (false), or nothing (v0)
         * @return ok if the content is now stored, with the repositories beyond this one now
         *     holding it
         */
        Reach commit(Optional<Boolean> senderSaysValid) throws IOException;

        /** Releases the upload; partial data stays for a resume, unless it was found bad. */
        @Override
        void close() throws IOException;
    }

    /** A held content lock. Closing it releases the lock at once. */
    interface ContentLock extends AutoCloseable {
        /** Releases the lock. */
        @Override
        void close() throws IOException;

        /**
         * Gives the lock up without an unlock: the connection broke, so git-annex's promise
         * applies and the content stays locked until the retention period ends.
         */
        void abandon() throws IOException;
    }
}
