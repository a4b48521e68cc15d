package org.annexhost.remote;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.annexhost.api.Uuid;
import org.annexhost.api.content.Content;
import org.annexhost.api.key.Key;
import org.annexhost.p2p.message.AssociatedFile;
import org.annexhost.p2p.server.ContentListener;
import org.annexhost.p2p.server.LocalStore;

/**
 * A proxied remote's store that keeps the host's location log up to date, as a git-annex
 * gateway does: a committed upload records the key present there; a remove records it absent
 * first, and present again if the remote kept it (see {@link ContentListener} for the order). A
 * record that cannot be written fails the request: the client keeps its copy.
 */
final class LocationRecordingStore implements LocalStore {
    private final LocalStore store;
    private final Uuid uuid;
    private final ContentListener log;

    LocationRecordingStore(LocalStore store, Uuid uuid, ContentListener log) {
        this.store = store;
        this.uuid = uuid;
        this.log = log;
    }

    @Override
    public boolean isPresent(Key key) throws IOException {
        return store.isPresent(key);
    }

    @Override
    public OptionalLong contentSize(Key key) throws IOException {
        return store.contentSize(key);
    }

    @Override
    public Optional<InputStream> openContent(Key key, long offset) throws IOException {
        return store.openContent(key, offset);
    }

    @Override
    public Optional<Content> read(Key key, long offset) throws IOException {
        return store.read(key, offset);
    }

    @Override
    public Upload beginUpload(Key key, AssociatedFile file) throws IOException {
        return new Recording(key, store.beginUpload(key, file));
    }

    /** The wrapped store's view for the conversation, recorded the same way. */
    @Override
    public LocalStore bypassing(List<Uuid> gateways) {
        LocalStore bypassed = store.bypassing(gateways);
        return bypassed == store ? this : new LocationRecordingStore(bypassed, uuid, log);
    }


    @Override
    public Optional<ContentLock> lockContent(Key key) throws IOException {
        return store.lockContent(key);
    }

    @Override
    public Reach remove(Key key, OptionalLong deadlineSeconds) throws IOException {
        log.removed(key, List.of(uuid));
        Reach r = store.remove(key, deadlineSeconds);
        if (!r.ok()) {
            // It refused (locked, too late) or failed: still there, so claimed again.
            log.added(key, List.of(uuid));
        }
        return r;
    }

    private final class Recording implements Upload {
        private final Key key;
        private final Upload upload;

        Recording(Key key, Upload upload) {
            this.key = key;
            this.upload = upload;
        }

        @Override
        public long offset() {
            return upload.offset();
        }

        @Override
        public Optional<List<Uuid>> alreadyStored() throws IOException {
            return upload.alreadyStored();
        }

        @Override
        public void write(Content data) throws IOException {
            upload.write(data);
        }

        @Override
        public Reach commit(Optional<Boolean> senderSaysValid) throws IOException {
            Reach stored = upload.commit(senderSaysValid);
            if (stored.ok()) {
                log.added(key, List.of(uuid));
            }
            return stored;
        }

        @Override
        public void close() throws IOException {
            upload.close();
        }
    }
}
