package org.annexhost.cluster;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import org.annexhost.api.Uuid;
import org.annexhost.api.content.Content;
import org.annexhost.api.content.ContentVerifier;
import org.annexhost.api.content.LimitedInputStream;
import org.annexhost.api.content.VerifyingInputStream;
import org.annexhost.api.key.Key;
import org.annexhost.p2p.client.ClientReply;
import org.annexhost.p2p.client.ProtocolClient;
import org.annexhost.p2p.message.AssociatedFile;
import org.annexhost.p2p.server.LocalStore;
import org.annexhost.time.MonotonicClock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A cluster served as one repository, as git-annex's gateway does it ({@code Annex/Cluster.hs},
 * {@code P2P/Proxy.hs}):
 * <ul>
 *   <li>PUT goes to the nodes the location log does not list, narrowed to those whose preferred
 *       content wants the key (all of them if none does), concurrently: the client's bytes are
 *       read once and streamed to every node. The reply names exactly the nodes that stored it;
 *       a node that fails does not fail the others.
 *   <li>GET and CHECKPRESENT go to a node the location log lists, the cheapest first (chosen at
 *       random among equally cheap ones), falling back to the next.
 *   <li>REMOVE goes to every node, listed or not; REMOVE-BEFORE is translated to each node's
 *       monotonic clock with a GETTIMESTAMP asked just before, and not sent once the deadline
 *       has passed.
 *   <li>LOCKCONTENT fails: content is locked on individual nodes, which the gateway also serves.
 * </ul>
 * Thread-safe.
 *
 * <p>Longer than 400 lines for now: which nodes a request goes to (the selection above) and how
 * it is carried to them (the fan-out upload with its pipes and per-node state, the pooled node
 * sessions) live together here. Drawing the selection out into a selector of its own, as
 * git-annex's {@code ProxySelector} is, would halve it; it is the open part of the architecture
 * issue.
 */
public final class ClusterStore implements LocalStore, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterStore.class);
    private static final int CHUNK = 256 * 1024;
    private static final int PIPE_CHUNKS = 8;
    /** How long a node may take no byte of an upload before it is left out of it. */
    public static final Duration NODE_STALL = Duration.ofSeconds(60);

    private final Uuid uuid;
    private final String name;
    private final List<ClusterNode> nodes;
    private final Map<Uuid, NodeSessions> sessions = new LinkedHashMap<>();
    private final ClusterKnowledge knowledge;
    private final MonotonicClock clock;
    private final ExecutorService fanout;
    private final Duration stall;

    /**
     * @param uuid the cluster's uuid
     * @param name the cluster's name, for messages
     * @param nodes its nodes
     * @param knowledge location logs and preferred content
     * @param clock the monotonic clock the gateway's GETTIMESTAMP answers with
     * @param fanout runs the per-node halves of requests
     * @param stall how long a node may take no byte of an upload before it is left out of it
     *     ({@link #NODE_STALL})
     */
    public ClusterStore(Uuid uuid, String name, List<ClusterNode> nodes, ClusterKnowledge knowledge, MonotonicClock clock,
                        ExecutorService fanout, Duration stall) {
        this.uuid = uuid;
        this.name = name;
        this.nodes = List.copyOf(nodes);
        for (ClusterNode n : nodes) {
            sessions.put(n.uuid(), new NodeSessions(n, 4));
        }
        this.knowledge = knowledge;
        this.clock = clock;
        this.fanout = fanout;
        this.stall = stall;
    }

    /** The same cluster without some of its nodes, sharing their pooled sessions. */
    private ClusterStore(ClusterStore whole, List<ClusterNode> some) {
        this.uuid = whole.uuid;
        this.name = whole.name;
        this.nodes = List.copyOf(some);
        for (ClusterNode n : some) {
            sessions.put(n.uuid(), whole.sessions.get(n.uuid()));
        }
        this.knowledge = whole.knowledge;
        this.clock = whole.clock;
        this.fanout = whole.fanout;
        this.stall = whole.stall;
    }

    /**
     * BYPASS: the cluster without the nodes reached through the named gateways (nor any node that
     * is one of them), as git-annex's gateway leaves out the gateways a client came through.
     */
    @Override
    public LocalStore bypassing(List<Uuid> gateways) {
        List<ClusterNode> kept = nodes.stream()
                .filter(n -> !gateways.contains(n.uuid()) && n.via().map(v -> !gateways.contains(v)).orElse(true))
                .toList();
        return kept.size() == nodes.size() ? this : new ClusterStore(this, kept);
    }

    /** @return the cluster's uuid */
    public Uuid uuid() {
        return uuid;
    }

    @Override
    public boolean isPresent(Key key) throws IOException {
        IOException failure = null;
        for (ClusterNode n : containing(key)) {
            NodeSessions s = sessions.get(n.uuid());
            ProtocolClient c = null;
            try {
                c = s.borrow();
                ClientReply r = c.checkPresent(key);
                s.giveBack(c);
                if (r.kind() == ClientReply.Kind.SUCCESS) {
                    return true;
                }
                if (r.kind() == ClientReply.Kind.ERROR) {
                    failure = new IOException("node " + n.name() + ": " + r.error());
                }
            } catch (IOException e) {
                if (c != null) {
                    s.discard(c);
                }
                failure = e;
            }
        }
        if (failure != null) {
            throw new IOException("cluster " + name + " cannot tell whether it has " + key + ": " + failure.getMessage(), failure);
        }
        return false;
    }

    @Override
    public OptionalLong contentSize(Key key) throws IOException {
        Optional<Content> c = read(key, 0);
        if (c.isEmpty()) {
            return OptionalLong.empty();
        }
        c.get().stream().close();
        return OptionalLong.of(c.get().length());
    }

    @Override
    public Optional<InputStream> openContent(Key key, long offset) throws IOException {
        return read(key, offset).map(Content::stream);
    }

    @Override
    public Optional<Content> read(Key key, long offset) throws IOException {
        for (ClusterNode n : containing(key)) {
            NodeSessions s = sessions.get(n.uuid());
            ProtocolClient c = null;
            try {
                c = s.borrow();
                Optional<Content> content = c.openGet(key, AssociatedFile.NONE, offset);
                if (content.isEmpty()) {
                    s.giveBack(c);
                    continue;
                }
                InputStream in = content.get().stream();
                long length = content.get().length();
                return Optional.of(new Content(length, new LimitedInputStream(in, length, new GiveBackAtEnd(in, s, c))));
            } catch (IOException e) {
                LOG.info("cluster {}: GET {} from node {} failed, trying the next: {}", name, key, n.name(), e.getMessage());
                if (c != null) {
                    s.discard(c);
                }
            }
        }
        return Optional.empty();
    }

    /** The nodes the location log lists for the key: cheapest first, equal costs shuffled. */
    private List<ClusterNode> containing(Key key) throws IOException {
        Set<Uuid> locs = knowledge.locations(key);
        List<ClusterNode> out = new ArrayList<>();
        for (ClusterNode n : nodes) {
            if (locs.contains(n.uuid())) {
                out.add(n);
            }
        }
        Collections.shuffle(out, ThreadLocalRandom.current());
        out.sort(Comparator.comparingInt(ClusterNode::cost));
        return out;
    }

    @Override
    public Upload beginUpload(Key key, AssociatedFile file) throws IOException {
        knowledge.refresh();
        Set<Uuid> locs = knowledge.locations(key);
        List<ClusterNode> lacking = nodes.stream().filter(n -> !locs.contains(n.uuid())).toList();
        List<Uuid> wantingUuids = knowledge.wanting(lacking.stream().map(ClusterNode::uuid).toList(), key, file, locs);
        List<ClusterNode> wanting = lacking.stream().filter(n -> wantingUuids.contains(n.uuid())).toList();
        List<ClusterNode> targets = !wanting.isEmpty() ? wanting : !lacking.isEmpty() ? lacking : nodes;
        ClusterUpload upload = new ClusterUpload(key);
        List<Future<NodePut>> offers = new ArrayList<>();
        for (ClusterNode n : targets) {
            offers.add(fanout.submit(() -> NodePut.offer(sessions.get(n.uuid()), key, file)));
        }
        for (Future<NodePut> f : offers) {
            upload.puts.add(await(f));
        }
        knowledge.recordAll(key, upload.puts.stream().filter(p -> p.state == NodePut.State.ALREADY_HAVE)
                .map(p -> p.node().uuid()).toList(), true);
        return upload;
    }

    /** One PUT fanned out to the chosen nodes. */
    private final class ClusterUpload implements Upload {
        private final Key key;
        private final List<NodePut> puts = new ArrayList<>();
        private boolean contentValid = true;
        private boolean hashedHere;
        private final List<Uuid> stored = new ArrayList<>();

        ClusterUpload(Key key) {
            this.key = key;
        }

        /** Every chosen node already has it, or none can take it (an ERROR naming why). */
        @Override
        public Optional<List<Uuid>> alreadyStored() throws IOException {
            if (!accepted().isEmpty()) {
                return Optional.empty();
            }
            List<Uuid> have = puts.stream().filter(p -> p.state == NodePut.State.ALREADY_HAVE).map(p -> p.node().uuid()).toList();
            if (have.isEmpty()) {
                throw new IOException("no node of cluster " + name + " can take " + key + ": "
                        + String.join("; ", puts.stream().map(p -> p.node().name() + ": " + p.problem).toList()));
            }
            return Optional.of(have);
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
                senders.add(fanout.submit(() -> {
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
            try (InputStream in = verifying.isPresent() ? verifying.get() : counted) {
                byte[] held = null;
                while (true) {
                    // Each chunk is read into an array of its own, which the pipes share: no copy.
                    byte[] read = new byte[CHUNK];
                    int n = in.readNBytes(read, 0, CHUNK);
                    if (n <= 0) {
                        break;
                    }
                    byte[] chunk = n == CHUNK ? read : java.util.Arrays.copyOf(read, n);
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
                // The client's side failed: every node is left mid-DATA and must be dropped.
                pipes.forEach(FanoutPipe::abort);
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
                    await(senders.get(i));
                } catch (IOException e) {
                    LOG.warn("cluster {}: node {} failed receiving {}: {}", name, sending.get(i).node().name(), key, e.getMessage());
                    sending.get(i).fail(e.getMessage());
                }
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
                    LOG.warn("cluster {}: node {} {} of {}; left out", name, sending.get(i).node().name(), why, key);
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
                replies.add(fanout.submit(() -> p.finish(valid)));
            }
            for (int i = 0; i < sent.size(); i++) {
                List<Uuid> on;
                try {
                    on = await(replies.get(i));
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
            return new Reach(!stored.isEmpty(), stored, Optional.empty());
        }

        @Override
        public void close() {
            for (NodePut p : puts) {
                p.release();
            }
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

        ClusterNode node() {
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

    @Override
    public Optional<ContentLock> lockContent(Key key) {
        return Optional.empty();
    }

    @Override
    public Reach remove(Key key, OptionalLong deadlineSeconds) throws IOException {
        // The record first (see ContentListener): nodes that keep the content are claimed again below.
        Set<Uuid> had = knowledge.locations(key);
        List<Uuid> going = nodes.stream().map(ClusterNode::uuid).filter(had::contains).toList();
        knowledge.recordAll(key, going, false);
        List<Future<ClientReply>> replies = new ArrayList<>();
        for (ClusterNode n : nodes) {
            replies.add(fanout.submit(() -> removeFrom(n, key, deadlineSeconds)));
        }
        boolean allOk = true;
        List<Uuid> removed = new ArrayList<>();
        List<Uuid> kept = new ArrayList<>();
        Optional<String> error = Optional.empty();
        for (int i = 0; i < nodes.size(); i++) {
            ClientReply r;
            try {
                r = await(replies.get(i));
            } catch (IOException e) {
                r = new ClientReply(ClientReply.Kind.ERROR, List.of(), "node " + nodes.get(i).name() + ": " + e.getMessage());
            }
            if (r.kind() == ClientReply.Kind.SUCCESS) {
                removed.add(nodes.get(i).uuid());
            } else {
                if (r.kind() == ClientReply.Kind.FAILURE && going.contains(nodes.get(i).uuid())) {
                    kept.add(nodes.get(i).uuid());
                }
                allOk = false;
                if (r.kind() == ClientReply.Kind.ERROR && error.isEmpty()) {
                    error = Optional.of(r.error());
                }
            }
            for (Uuid u : r.uuids()) {
                if (!removed.contains(u)) {
                    removed.add(u);
                }
            }
        }
        knowledge.recordAll(key, removed.stream().filter(u -> !going.contains(u)).toList(), false);
        knowledge.recordAll(key, kept, true);
        return new Reach(allOk, removed, error);
    }

    private ClientReply removeFrom(ClusterNode n, Key key, OptionalLong deadline) throws IOException {
        NodeSessions s = sessions.get(n.uuid());
        ProtocolClient c = s.borrow();
        try {
            ClientReply r;
            if (deadline.isEmpty()) {
                r = c.remove(key);
            } else if (c.connection().version().hasRemoveBefore()) {
                // The node's clock is not ours: ask it the time, then give it what is left of ours.
                long nodeNow = c.getTimestamp();
                long left = deadline.getAsLong() - clock.seconds();
                r = left <= 0 ? new ClientReply(ClientReply.Kind.FAILURE, List.of(), "")
                        : c.removeBefore(nodeNow + left, key);
            } else {
                r = clock.seconds() < deadline.getAsLong() ? c.remove(key)
                        : new ClientReply(ClientReply.Kind.FAILURE, List.of(), "");
            }
            s.giveBack(c);
            return r;
        } catch (IOException e) {
            s.discard(c);
            throw e;
        }
    }

    private static <T> T await(Future<T> f) throws IOException {
        try {
            return f.get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            throw new IOException(cause.getMessage() == null ? cause.toString() : cause.getMessage(), cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
    }

    @Override
    public void close() {
        sessions.values().forEach(NodeSessions::close);
    }

    /**
     * Lends a node's conversation to the content of one GET: gives it back once the content was
     * read to its end (which reads the node's VALID and acknowledges it), and drops it if the
     * content is closed before, or its end fails.
     */
    private record GiveBackAtEnd(InputStream content, NodeSessions sessions, ProtocolClient client)
            implements LimitedInputStream.Hook {
        @Override
        public void exhausted() throws IOException {
            try {
                if (content.read() < 0) {
                    sessions.giveBack(client);
                    return;
                }
            } catch (IOException e) {
                sessions.discard(client);
                throw e;
            }
            sessions.discard(client);
        }

        @Override
        public void closedEarly() {
            sessions.discard(client);
        }
    }
}
