package org.annexhost.proxy;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import org.annexhost.api.Uuid;
import org.annexhost.api.content.Content;
import org.annexhost.api.content.LimitedInputStream;
import org.annexhost.api.key.Key;
import org.annexhost.p2p.client.ClientReply;
import org.annexhost.p2p.client.ProtocolClient;
import org.annexhost.p2p.message.AssociatedFile;
import org.annexhost.p2p.message.ProtocolVersion;
import org.annexhost.p2p.server.LocalStore;
import org.annexhost.time.MonotonicClock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the gateway serves for a uuid it proxies, as git-annex's {@code proxyRequest} does it
 * ({@code P2P/Proxy.hs}): a {@link NodeSelector} decides which nodes a request goes to (the one
 * remote, or a cluster's nodes: {@code Annex/Cluster.hs}), and this carries it to them over pooled
 * conversations ({@link NodeSessions}), the same way for both.
 * <ul>
 *   <li>PUT goes to the selected nodes concurrently ({@link FanoutUpload}): the client's bytes are
 *       read once and streamed to every node. The reply names exactly the nodes that stored it;
 *       a node that fails does not fail the others.
 *   <li>GET and CHECKPRESENT go to a selected node, the first that has the key.
 *   <li>REMOVE goes to every selected node; REMOVE-BEFORE is translated to each node's monotonic
 *       clock with a GETTIMESTAMP asked just before, and not sent once the deadline has passed.
 *   <li>LOCKCONTENT is held by a conversation of its own with the node the selector names; a
 *       cluster names none: content is locked on individual nodes, which the gateway also serves.
 * </ul>
 * What a change reached is written to the location log ({@link ClusterKnowledge}) before the
 * client hears of it. Thread-safe.
 */
public final class ProxyStore implements LocalStore, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ProxyStore.class);
    /** How long a node may take no byte of an upload before it is left out of it. */
    public static final Duration NODE_STALL = Duration.ofSeconds(60);

    private final Uuid uuid;
    private final String name;
    private final String what;
    private final NodeSelector selector;
    private final Map<Uuid, NodeSessions> sessions = new LinkedHashMap<>();
    private final ClusterKnowledge knowledge;
    private final MonotonicClock clock;
    private final Fanout fanout;
    private final Duration stall;
    private final NodeEvents events;

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
    public ProxyStore(Uuid uuid, String name, List<Node> nodes, ClusterKnowledge knowledge, MonotonicClock clock,
                        ExecutorService fanout, Duration stall) {
        this(uuid, name, nodes, knowledge, clock, fanout, stall, NodeEvents.NONE);
    }

    /**
     * As {@link #ProxyStore(Uuid, String, List, ClusterKnowledge, MonotonicClock, ExecutorService, Duration)},
     * telling {@code events} how each node did its part of each request.
     */
    public ProxyStore(Uuid uuid, String name, List<Node> nodes, ClusterKnowledge knowledge, MonotonicClock clock,
                        ExecutorService fanout, Duration stall, NodeEvents events) {
        this(uuid, name, "cluster " + name, new ClusterSelector(nodes, knowledge), knowledge, clock, fanout, stall, events);
    }

    /**
     * @return the store of one proxied remote: every request goes to it
     * @param node the remote
     * @param knowledge where what it now has or lacks is recorded
     */
    public static ProxyStore single(Node node, ClusterKnowledge knowledge, MonotonicClock clock, ExecutorService fanout,
                                    Duration stall, NodeEvents events) {
        return new ProxyStore(node.uuid(), node.name(), "remote " + node.name(), NodeSelector.single(node), knowledge, clock,
                fanout, stall, events);
    }

    private ProxyStore(Uuid uuid, String name, String what, NodeSelector selector, ClusterKnowledge knowledge,
                       MonotonicClock clock, ExecutorService fanout, Duration stall, NodeEvents events) {
        this.events = events;
        this.uuid = uuid;
        this.name = name;
        this.what = what;
        this.selector = selector;
        for (Node n : selector.nodes()) {
            sessions.put(n.uuid(), new NodeSessions(n, 4));
        }
        this.knowledge = knowledge;
        this.clock = clock;
        this.fanout = new Fanout(fanout);
        this.stall = stall;
    }

    /** The same cluster with fewer nodes selected, sharing their pooled sessions. */
    private ProxyStore(ProxyStore whole, NodeSelector some) {
        this.events = whole.events;
        this.uuid = whole.uuid;
        this.name = whole.name;
        this.what = whole.what;
        this.selector = some;
        for (Node n : some.nodes()) {
            sessions.put(n.uuid(), whole.sessions.get(n.uuid()));
        }
        this.knowledge = whole.knowledge;
        this.clock = whole.clock;
        this.fanout = whole.fanout;
        this.stall = whole.stall;
    }

    /**
     * BYPASS: without the nodes reached through the named gateways (nor any node that is one of
     * them), as git-annex's gateway leaves out the gateways a client came through.
     */
    @Override
    public LocalStore bypassing(List<Uuid> gateways) {
        NodeSelector kept = selector.bypassing(gateways);
        return kept == selector ? this : new ProxyStore(this, kept);
    }

    /** @return the uuid served: the cluster's, or the remote's */
    public Uuid uuid() {
        return uuid;
    }

    @Override
    public boolean isPresent(Key key) throws IOException {
        IOException failure = null;
        for (Node n : selector.holding(key)) {
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
            throw new IOException(what + " cannot tell whether it has " + key + ": " + failure.getMessage(), failure);
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
        for (Node n : selector.holding(key)) {
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
                events.outcome(name, n.name(), "get", true, "");
                return Optional.of(new Content(length, new LimitedInputStream(in, length, new GiveBackAtEnd(in, s, c))));
            } catch (IOException e) {
                LOG.info("{}: GET {} from node {} failed, trying the next: {}", what, key, n.name(), e.getMessage());
                events.outcome(name, n.name(), "get", false, e.getMessage() == null ? e.toString() : e.getMessage());
                if (c != null) {
                    s.discard(c);
                }
            }
        }
        return Optional.empty();
    }

    @Override
    public Upload beginUpload(Key key, AssociatedFile file) throws IOException {
        List<NodeSessions> targets = selector.forUpload(key, file).stream().map(n -> sessions.get(n.uuid())).toList();
        return FanoutUpload.offer(key, file, uuid, name, what, targets, knowledge, fanout, stall, events);
    }

    @Override
    public Optional<ContentLock> lockContent(Key key) throws IOException {
        Optional<Node> node = selector.forLock(key);
        if (node.isEmpty()) {
            return Optional.empty();
        }
        // Held for as long as the client keeps it: a conversation of its own, never a pooled one.
        ProtocolClient c = new ProtocolClient(node.get().peer().connectToLock());
        try {
            c.negotiate(ProtocolVersion.LATEST);
            if (!c.lockContent(key)) {
                c.connection().close();
                return Optional.empty();
            }
        } catch (IOException e) {
            c.connection().close();
            throw new IOException(what + ": cannot lock " + key + ": " + e.getMessage(), e);
        }
        return Optional.of(new NodeLock(c));
    }

    @Override
    public Reach remove(Key key, OptionalLong deadlineSeconds) throws IOException {
        // The record first (see ContentListener): nodes that keep the content are claimed again below.
        Set<Uuid> had = knowledge.locations(key);
        List<Node> nodes = selector.forRemoval();
        List<Uuid> going = nodes.stream().map(Node::uuid).filter(had::contains).toList();
        knowledge.recordAll(key, going, false);
        List<Future<ClientReply>> replies = new ArrayList<>();
        for (Node n : nodes) {
            replies.add(fanout.start(() -> removeFrom(n, key, deadlineSeconds)));
        }
        boolean allOk = true;
        List<Uuid> removed = new ArrayList<>();
        List<Uuid> kept = new ArrayList<>();
        Optional<String> error = Optional.empty();
        for (int i = 0; i < nodes.size(); i++) {
            ClientReply r;
            try {
                r = Fanout.await(replies.get(i));
            } catch (IOException e) {
                r = new ClientReply(ClientReply.Kind.ERROR, List.of(), "node " + nodes.get(i).name() + ": " + e.getMessage());
            }
            events.outcome(name, nodes.get(i).name(), "remove", r.kind() == ClientReply.Kind.SUCCESS,
                    r.kind() == ClientReply.Kind.ERROR ? r.error() : r.kind() == ClientReply.Kind.FAILURE ? "not removed" : "");
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
        return new Reach(allOk, removed.stream().filter(u -> !u.equals(uuid)).toList(), error);
    }

    private ClientReply removeFrom(Node n, Key key, OptionalLong deadline) throws IOException {
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

    @Override
    public void close() {
        sessions.values().forEach(NodeSessions::close);
    }

    /**
     * Content locked by a node for the client: the node's conversation waits for the UNLOCKCONTENT.
     * Closing the conversation without one is what a client that vanished does; the node applies
     * its own retention.
     */
    private record NodeLock(ProtocolClient client) implements ContentLock {
        @Override
        public void close() throws IOException {
            try {
                client.unlockContent();
            } finally {
                client.connection().close();
            }
        }

        @Override
        public void abandon() throws IOException {
            client.connection().close();
        }
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
