package org.annexhost.proxy;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Future;
import org.annexhost.api.Uuid;
import org.annexhost.api.content.Content;
import org.annexhost.api.content.ContentVerifier;
import org.annexhost.api.content.VerifyingInputStream;
import org.annexhost.api.key.Key;
import org.annexhost.p2p.client.ClientReply;
import org.annexhost.p2p.client.ProtocolClient;
import org.annexhost.p2p.message.AssociatedFile;
import org.annexhost.p2p.server.LocalStore;
import org.annexhost.p2p.server.LocalStore.Reach;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One PUT through the proxy, fanned out to the nodes its {@link NodeSelector} chose (one, for a
 * single remote): the client's bytes are read once, hashed once here when the key has a hash,
 * and streamed to every node that accepted through a {@link FanoutPipe} each; a node that fails
 * or stops taking bytes for the stall limit is left out without failing the others. The reply
 * names exactly the nodes that stored it, and they are recorded in one change of the location
 * log. An upload the client cuts short leaves each node what arrived, for a resume.
 */
final class FanoutUpload implements LocalStore.Upload {
    private static final Logger LOG = LoggerFactory.getLogger(FanoutUpload.class);
    private static final int CHUNK = 256 * 1024;
    private static final int PIPE_CHUNKS = 8;

    private final Key key;
    private final Uuid self;
    private final String cluster;
    private final String what;
    private final ClusterKnowledge knowledge;
    private final Fanout fanout;
    private final Duration stall;
    private final List<NodePut> puts = new ArrayList<>();
    private boolean contentValid = true;
    private boolean hashedHere;
    private final List<Uuid> stored = new ArrayList<>();
    private final NodeEvents events;

    private FanoutUpload(Key key, Uuid self, String cluster, String what, ClusterKnowledge knowledge, Fanout fanout,
                         Duration stall, NodeEvents events) {
        this.self = self;
        this.events = events;
        this.key = key;
        this.cluster = cluster;
        this.what = what;
        this.knowledge = knowledge;
        this.fanout = fanout;
        this.stall = stall;
    }

    /**
     * Offers the key to each of the nodes at once and waits for their answers; the nodes that
     * already have it are recorded as having it.
     *
     * @param self the uuid the proxy serves, never named among the repositories beyond it
     * @param cluster the name of what the proxy serves, for its node events
     * @param what what the proxy serves, for messages ("cluster NAME", "remote NAME")
     * @param nodes the conversations with the nodes the upload goes to
     * @param stall how long a node may take no byte before it is left out
     * @param events told how each node did, once the upload is committed
     */
    static FanoutUpload offer(Key key, AssociatedFile file, Uuid self, String cluster, String what, List<NodeSessions> nodes,
                              ClusterKnowledge knowledge, Fanout fanout, Duration stall, NodeEvents events) throws IOException {
        FanoutUpload upload = new FanoutUpload(key, self, cluster, what, knowledge, fanout, stall, events);
        List<Future<NodePut>> offers = new ArrayList<>();
        for (NodeSessions n : nodes) {
            offers.add(fanout.start(() -> NodePut.offer(n, key, file)));
        }
        for (Future<NodePut> f : offers) {
            upload.puts.add(Fanout.await(f));
        }
        knowledge.recordAll(key, upload.puts.stream().filter(p -> p.state == NodePut.State.ALREADY_HAVE)
                .map(p -> p.node().uuid()).toList(), true);
        return upload;
    }

    /** Every chosen node already has it, or none can take it (an ERROR naming why). */
    @Override
    public Optional<List<Uuid>> alreadyStored() throws IOException {
        if (!accepted().isEmpty()) {
            return Optional.empty();
        }
        List<Uuid> have = puts.stream().filter(p -> p.state == NodePut.State.ALREADY_HAVE).map(p -> p.node().uuid()).toList();
        if (have.isEmpty()) {
            throw new IOException(what + " cannot take " + key + ": "
                    + String.join("; ", puts.stream().map(p -> p.node().name() + ": " + p.problem).toList()));
        }
        return Optional.of(have.stream().filter(u -> !u.equals(self)).toList());
    }

    List<NodePut> accepted() {
        return puts.stream().filter(p -> p.state == NodePut.State.ACCEPTED).toList();
    }

    @Override
    public long offset() {
        return accepted().stream().mapToLong(p -> p.offset).min().orElse(0);
    }

    @Override
    public void write(Content data) throws IOException {
        long from = offset();
        long total = from + data.length();
        List<NodePut> sending = accepted();
        List<FanoutPipe> pipes = new ArrayList<>();
        List<Future<?>> senders = new ArrayList<>();
        for (NodePut p : sending) {
            FanoutPipe pipe = new FanoutPipe(PIPE_CHUNKS, Math.max(0, p.offset - from), stall);
            pipes.add(pipe);
            long length = Math.max(0, total - p.offset);
            ProtocolClient node = p.client;
            senders.add(fanout.start(() -> {
                try {
                    node.sendPutData(new Content(length, pipe.input()));
                } finally {
                    // A node that stopped taking bytes must not stall the others.
                    pipe.abandon();
                }
                return null;
            }));
        }
        InputStream counted = data.counted();
        Optional<VerifyingInputStream> verifying = (from == 0 ? ContentVerifier.forKey(key) : Optional.<ContentVerifier>empty())
                .map(v -> new VerifyingInputStream(counted, v));
        byte[] held = null;
        byte[] read = null;
        int got = 0;
        try (InputStream in = verifying.isPresent() ? verifying.get() : counted) {
            while (true) {
                // Each chunk is read into an array of its own, which the pipes share: no copy.
                read = new byte[CHUNK];
                got = 0;
                for (int r; got < CHUNK && (r = in.read(read, got, CHUNK - got)) > 0; ) {
                    got += r;
                }
                if (got == 0) {
                    break;
                }
                byte[] chunk = got == CHUNK ? read : java.util.Arrays.copyOf(read, got);
                got = 0;
                if (held != null) {
                    feed(sending, pipes, held);
                }
                held = chunk;
            }
            // Hashed once here for every node. The last chunk waits for the verdict: on a
            // mismatch no node gets all the bytes, so none can keep them (the nodes this
            // process serves do not hash them again).
            contentValid = verifying.map(VerifyingInputStream::matched).orElse(true);
            hashedHere = verifying.isPresent();
            if (!contentValid) {
                pipes.forEach(FanoutPipe::abort);
            } else {
                if (held != null) {
                    feed(sending, pipes, held);
                }
                feed(sending, pipes, null);
            }
        } catch (IOException | RuntimeException e) {
            // The client's side failed short of the declared length. What did arrive still goes
            // to the nodes first, which keep it for a resume as they would from the client
            // itself (none can have it all); then each is left mid-DATA and must be dropped.
            keepReceived(sending, pipes, held, read, got);
            pipes.forEach(FanoutPipe::abort);
            awaitBriefly(senders);
            for (NodePut p : sending) {
                p.fail("the client's upload failed: " + e.getMessage());
            }
            throw e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            pipes.forEach(FanoutPipe::abort);
            sending.forEach(p -> p.fail("interrupted"));
            throw new IOException("interrupted while fanning out " + key);
        }
        for (int i = 0; i < sending.size(); i++) {
            try {
                Fanout.await(senders.get(i));
            } catch (IOException e) {
                LOG.warn("{}: node {} failed receiving {}: {}", what, sending.get(i).node().name(), key, e.getMessage());
                sending.get(i).fail(e.getMessage());
            }
        }
    }

    /** How long nodes are given to take in what arrived before the client's side failed. */
    private static final Duration KEEP_RECEIVED = Duration.ofSeconds(10);

    /**
     * Waits, at most {@link #KEEP_RECEIVED} (or the stall limit) in all, for each node's sender to
     * end: a node reads what it was fed before its DATA fails, and only then is its conversation
     * dropped, so it keeps those bytes.
     */
    private void awaitBriefly(List<Future<?>> senders) {
        long deadline = System.nanoTime() + Math.min(KEEP_RECEIVED.toNanos(), stall.toNanos());
        for (Future<?> f : senders) {
            try {
                f.get(Math.max(0, deadline - System.nanoTime()), java.util.concurrent.TimeUnit.NANOSECONDS);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                // it failed, as it should, or it is stuck: dropping its conversation ends it
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Feeds the nodes the bytes that arrived before the client's side failed. */
    private void keepReceived(List<NodePut> sending, List<FanoutPipe> pipes, byte[] held, byte[] read, int got) {
        try {
            if (held != null) {
                feed(sending, pipes, held);
            }
            if (got > 0) {
                feed(sending, pipes, java.util.Arrays.copyOf(read, got));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Gives a chunk (null: the end) to every node still taking bytes; a node that took none
     * for the stall limit is left out, and its conversation closed to wake its sender.
     */
    private void feed(List<NodePut> sending, List<FanoutPipe> pipes, byte[] chunk) throws InterruptedException {
        for (int i = 0; i < pipes.size(); i++) {
            FanoutPipe pipe = pipes.get(i);
            if (!(chunk == null ? pipe.end() : pipe.feed(chunk))) {
                String why = "took no bytes for " + (stall.toSeconds() > 0 ? stall.toSeconds() + " s" : stall.toMillis() + " ms");
                LOG.warn("{}: node {} {} of {}; left out", what, sending.get(i).node().name(), why, key);
                sending.get(i).fail(why);
            }
        }
    }

    @Override
    public Reach commit(Optional<Boolean> senderSaysValid) throws IOException {
        // Content hashed here is judged by its hash: a sender's INVALID (the file changed as
        // it was read) does not outweigh it, as it does not for a repository. Otherwise the
        // sender's word goes to the nodes, which verify what they can.
        boolean valid = hashedHere ? contentValid : contentValid && senderSaysValid.orElse(true);
        List<NodePut> sent = accepted();
        List<Future<List<Uuid>>> replies = new ArrayList<>();
        for (NodePut p : sent) {
            replies.add(fanout.start(() -> p.finish(valid)));
        }
        for (int i = 0; i < sent.size(); i++) {
            List<Uuid> on;
            try {
                on = Fanout.await(replies.get(i));
            } catch (IOException e) {
                sent.get(i).fail(e.getMessage());
                continue;
            }
            for (Uuid u : on) {
                if (!stored.contains(u)) {
                    stored.add(u);
                }
            }
        }
        // One branch commit for all the nodes, not one each.
        knowledge.recordAll(key, stored, true);
        for (NodePut p : puts) {
            boolean ok = p.state == NodePut.State.ALREADY_HAVE || stored.contains(p.node().uuid());
            events.outcome(cluster, p.node().name(), "put", ok,
                    ok ? "" : p.state == NodePut.State.FAILED ? p.problem : "not stored");
        }
        return new Reach(!stored.isEmpty(), stored.stream().filter(u -> !u.equals(self)).toList(), Optional.empty());
    }

    @Override
    public void close() {
        for (NodePut p : puts) {
            p.release();
        }
    }

    /** The PUT to one node, from offer to reply. */
    private static final class NodePut {
        enum State { ACCEPTED, ALREADY_HAVE, FAILED, DONE }

        private final NodeSessions sessions;
        private ProtocolClient client;
        private State state;
        private long offset;
        private String problem = "";

        private NodePut(NodeSessions sessions) {
            this.sessions = sessions;
        }

        Node node() {
            return sessions.node();
        }

        static NodePut offer(NodeSessions sessions, Key key, AssociatedFile file) {
            NodePut p = new NodePut(sessions);
            try {
                p.client = sessions.borrow();
                long[] from = {0};
                Optional<ClientReply> reply = p.client.offerPut(key, file, o -> from[0] = o);
                if (reply.isEmpty()) {
                    p.state = State.ACCEPTED;
                    p.offset = from[0];
                } else if (reply.get().kind() == ClientReply.Kind.ALREADY_HAVE) {
                    p.state = State.ALREADY_HAVE;
                    sessions.giveBack(p.client);
                    p.client = null;
                } else {
                    p.fail(reply.get().error());
                }
            } catch (IOException e) {
                p.fail(e.getMessage());
            }
            return p;
        }

        /** Sends the validity and reads the node's reply; returns the uuids that now have the key. */
        List<Uuid> finish(boolean valid) throws IOException {
            ClientReply r = client.finishPut(valid);
            state = State.DONE;
            sessions.giveBack(client);
            client = null;
            if (r.kind() != ClientReply.Kind.SUCCESS) {
                return List.of();
            }
            List<Uuid> on = new ArrayList<>();
            on.add(node().uuid());
            on.addAll(r.uuids());
            return on;
        }

        void fail(String why) {
            if (state == State.FAILED) {
                return; // the first reason is the one to tell
            }
            state = State.FAILED;
            problem = why == null ? "failed" : why;
            if (client != null) {
                sessions.discard(client);
                client = null;
            }
        }

        void release() {
            if (client != null) {
                // Never finished: the node's conversation is mid-PUT.
                sessions.discard(client);
                client = null;
            }
        }
    }
}
