package org.annexhost.remote;

import java.io.IOException;
import java.util.Optional;
import org.annexhost.api.Uuid;
import org.annexhost.api.key.Key;
import org.annexhost.p2p.message.Message;
import org.annexhost.p2p.transport.ForwardingConnection;
import org.annexhost.p2p.transport.P2PConnection;
import org.annexhost.peer.Peer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A repository behind the gateway whose conversations keep the host's location log up to date:
 * the gateway watches what it asks for (PUT, REMOVE, REMOVE-BEFORE) and what the repository
 * answers (SUCCESS or SUCCESS-PLUS), whoever is asking (the shell's relay, an HTTP request).
 */
final class LocationRecordingPeer implements Peer {
    private static final Logger LOG = LoggerFactory.getLogger(LocationRecordingPeer.class);

    private final Peer peer;
    private final LocationRecorder log;

    LocationRecordingPeer(Peer peer, LocationRecorder log) {
        this.peer = peer;
        this.log = log;
    }

    @Override
    public Uuid uuid() {
        return peer.uuid();
    }

    @Override
    public String name() {
        return peer.name();
    }

    @Override
    public P2PConnection connect() throws IOException {
        return new Watched(peer.connect());
    }

    private record Pending(Key key, boolean put) {
    }

    /** The gateway's end of one conversation, remembering the request whose answer it awaits. */
    private final class Watched extends ForwardingConnection {
        /** The PUT or REMOVE awaiting its answer; sent and received on different threads in a relay. */
        private volatile Pending pending;

        Watched(P2PConnection c) {
            super(c);
        }

        @Override
        public void send(Message m) throws IOException {
            if (m instanceof Message.Put p) {
                expect(p.key(), true);
            } else if (m instanceof Message.Remove r) {
                expect(r.key(), false);
            } else if (m instanceof Message.RemoveBefore r) {
                expect(r.key(), false);
            } else if (!(m instanceof Message.Data || m instanceof Message.Validity || m instanceof Message.DataPresent)) {
                pending = null; // any other request: what follows is not a PUT's or REMOVE's answer
            }
            super.send(m);
        }

        @Override
        public Optional<Message> receive() throws IOException {
            Optional<Message> m = super.receive();
            Pending p = pending;
            if (p != null && m.isPresent()) {
                Message answer = m.get();
                if (answer instanceof Message.Success || answer instanceof Message.SuccessPlus) {
                    record(p.key(), p.put());
                    pending = null;
                } else if (!(answer instanceof Message.PutFrom)) {
                    pending = null; // FAILURE, ALREADY-HAVE, ERROR: nothing changed there
                }
            }
            return m;
        }

        private void expect(Key k, boolean put) {
            pending = new Pending(k, put);
        }

        private void record(Key k, boolean present) {
            try {
                log.record(k, peer.uuid(), present);
            } catch (IOException | RuntimeException e) {
                LOG.warn("location log for {} on {} not updated: {}", k, peer.uuid(), e.getMessage());
            }
        }
    }
}
