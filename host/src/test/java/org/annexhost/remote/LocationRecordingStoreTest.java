package org.annexhost.remote;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.annexhost.p2p.message.AssociatedFile;
import org.annexhost.api.Uuid;
import org.annexhost.api.content.Content;
import org.annexhost.api.key.Key;
import org.annexhost.p2p.server.ContentListener;
import org.annexhost.p2p.server.LocalStore;
import org.annexhost.testing.FakeMonotonicClock;
import org.annexhost.testing.MemoryStore;
import org.junit.jupiter.api.Test;

class LocationRecordingStoreTest {
    static final Uuid REMOTE = new Uuid("remote-uuid");
    static final Key KEY = Key.parse("WORM-s5-m1--hello");

    final List<String> records = new ArrayList<>();
    final ContentListener log = new ContentListener() {
        public void added(Key key, Collection<Uuid> at) {
            records.add("added " + key + " " + at);
        }

        public void removed(Key key, Collection<Uuid> at) {
            records.add("removed " + key + " " + at);
        }
    };

    /** A store whose BYPASS view is another store, as a gateway's onward store would be. */
    static final class Bypassable extends Forwarding {
        final MemoryStore bypassed = new MemoryStore(new FakeMonotonicClock(1), 600);

        Bypassable() {
            super(new MemoryStore(new FakeMonotonicClock(1), 600));
        }

        @Override
        public LocalStore bypassing(List<Uuid> gateways) {
            return gateways.isEmpty() ? this : new Forwarding(bypassed);
        }
    }

    @Test
    void aConversationThatBypassesGatewaysReachesTheWrappedStoresViewAndIsStillRecorded() throws Exception {
        Bypassable inner = new Bypassable();
        LocalStore recording = new LocationRecordingStore(inner, REMOTE, log);
        LocalStore bypassing = recording.bypassing(List.of(new Uuid("gateway-uuid")));
        try (LocalStore.Upload u = bypassing.beginUpload(KEY, AssociatedFile.NONE)) {
            assertThat(u.alreadyStored()).isEmpty();
            u.write(new Content(5, new ByteArrayInputStream("hello".getBytes())));
            assertThat(u.commit(Optional.of(true)).ok()).isTrue();
        }
        assertThat(inner.bypassed.get(KEY)).as("stored where the wrapped store's bypass view stores").isPresent();
        assertThat(inner.isPresent(KEY)).isFalse();
        assertThat(records).containsExactly("added " + KEY + " [" + REMOTE + "]");
        assertThat(recording.bypassing(List.of())).as("nothing bypassed: the same store").isSameAs(recording);
        assertThat(bypassing.remove(KEY, OptionalLong.empty()).ok()).isTrue();
        assertThat(records).last().isEqualTo("removed " + KEY + " [" + REMOTE + "]");
    }

    /** Forwards the local actions, so the test can tell which store served. */
    static class Forwarding implements LocalStore {
        final LocalStore to;

        Forwarding(LocalStore to) {
            this.to = to;
        }

        public boolean isPresent(Key key) throws java.io.IOException {
            return to.isPresent(key);
        }

        public OptionalLong contentSize(Key key) throws java.io.IOException {
            return to.contentSize(key);
        }

        public Optional<java.io.InputStream> openContent(Key key, long offset) throws java.io.IOException {
            return to.openContent(key, offset);
        }

        public Upload beginUpload(Key key, AssociatedFile file) throws java.io.IOException {
            return to.beginUpload(key, file);
        }

        public Optional<ContentLock> lockContent(Key key) throws java.io.IOException {
            return to.lockContent(key);
        }

        public Reach remove(Key key, OptionalLong deadline) throws java.io.IOException {
            return to.remove(key, deadline);
        }
    }
}
