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
import org.annexhost.p2p.server.LocalStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A proxied remote's store that keeps the host's location log up to date, as a git-annex
 * gateway does: a committed upload records the key present there, a successful remove absent.
 * A failure to write the log is logged, never turned into a failed transfer (the content moved).
 */
final class LocationRecordingStore implements LocalStore {
    private static final Logger LOG = LoggerFactory.getLogger(LocationRecordingStore.class);

    private final LocalStore store;
    private final Uuid uuid;
    private final LocationRecorder log;

    LocationRecordingStore(LocalStore store, Uuid uuid, LocationRecorder log) {
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
    public Upload beginUpload(Key key) throws IOException {
        return recording(key, store.beginUpload(key));
    }

    @Override
    public Upload beginUpload(Key key, AssociatedFile file) throws IOException {
        return recording(key, store.beginUpload(key, file));
    }

    @Override
    public Optional<List<Uuid>> alreadyHas(Key key, Upload upload) throws IOException {
        return store.alreadyHas(key, ((Recording) upload).upload);
    }

    @Override
    public Reach removeReaching(Key key, OptionalLong deadlineSeconds) throws IOException {
        Reach r = store.removeReaching(key, deadlineSeconds);
        if (r.ok()) {
            record(key, false);
        }
        return r;
    }

    @Override
    public Optional<ContentLock> lockContent(Key key) throws IOException {
        return store.lockContent(key);
    }

    @Override
    public boolean remove(Key key, OptionalLong deadlineSeconds) throws IOException {
        boolean removed = store.remove(key, deadlineSeconds);
        if (removed) {
            record(key, false);
        }
        return removed;
    }

    private Upload recording(Key key, Upload upload) {
        return new Recording(key, upload);
    }

    private void record(Key key, boolean present) {
        try {
            log.record(key, uuid, present);
        } catch (IOException | RuntimeException e) {
            LOG.warn("location log for {} on {} not updated: {}", key, uuid, e.getMessage());
        }
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
        public void write(Content data) throws IOException {
            upload.write(data);
        }

        @Override
        public boolean commit(Optional<Boolean> senderSaysValid) throws IOException {
            boolean stored = upload.commit(senderSaysValid);
            if (stored) {
                record(key, true);
            }
            return stored;
        }

        @Override
        public List<Uuid> storedOn() {
            return upload.storedOn();
        }

        @Override
        public void close() throws IOException {
            upload.close();
        }
    }
}
