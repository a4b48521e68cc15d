package org.annexhost.p2p.server;

import java.io.IOException;
import java.util.Optional;
import org.annexhost.p2p.message.Message;
import org.annexhost.p2p.message.Message.Connect;
import org.annexhost.p2p.message.Message.Data;
import org.annexhost.p2p.message.Message.Error;
import org.annexhost.p2p.message.Message.Version;
import org.annexhost.p2p.transport.ConnectionClosedException;
import org.annexhost.p2p.transport.P2PConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Passes a client's conversation through to a repository behind the gateway, message by
 * message, as git-annex's proxy does: each side's messages go to the other, DATA streamed
 * through, so the two ends negotiate their own protocol version. The gateway's access limits
 * still apply, by the server's own policy ({@link ServerMode#refusal}): a PUT or REMOVE the
 * client may not make is answered here with git-annex's refusal and never reaches the repository. CONNECT (git services) is not relayed.
 */
public final class ProxyRelay {
    private static final Logger LOG = LoggerFactory.getLogger(ProxyRelay.class);

    private final P2PConnection client;
    private final P2PConnection repository;
    private final ServerMode mode;

    /**
     * @param client the client's side, authenticated
     * @param repository the repository's side, its AUTH-SUCCESS already read
     * @param mode what the client may do
     */
    public ProxyRelay(P2PConnection client, P2PConnection repository, ServerMode mode) {
        this.client = client;
        this.repository = repository;
        this.mode = mode;
    }

    /** Relays until either side ends the conversation; then ends the other. */
    public void run() throws IOException {
        Thread back = new Thread(() -> {
            try {
                pump(repository, client, false);
            } catch (IOException e) {
                LOG.debug("relay from {} ended: {}", repository.name(), e.getMessage());
            } finally {
                closeQuietly(client);
            }
        }, "relay-" + repository.name());
        back.setDaemon(true);
        back.start();
        try {
            pump(client, repository, true);
        } finally {
            closeQuietly(repository);
            try {
                back.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void pump(P2PConnection from, P2PConnection to, boolean fromClient) throws IOException {
        while (true) {
            Optional<Message> received;
            try {
                received = from.receive();
            } catch (ConnectionClosedException e) {
                return;
            }
            if (received.isEmpty()) {
                if (fromClient) {
                    from.send(new Error("unknown command"));
                }
                continue;
            }
            Message m = received.get();
            if (fromClient) {
                Optional<String> refusal = m instanceof Connect
                        ? Optional.of("CONNECT is not relayed to repositories behind the gateway") : mode.refusal(m);
                if (refusal.isPresent()) {
                    from.send(new Error(refusal.get()));
                    continue;
                }
            } else if (m instanceof Version v) {
                // The repository agreed a version with the client: both sides frame by it.
                client.setVersion(v.version());
                repository.setVersion(v.version());
            }
            if (m instanceof Data) {
                to.sendContent(from.receivedContent());
            } else {
                to.send(m);
            }
            if (m instanceof Error && fromClient) {
                return; // git-annex: after its ERROR the client's state is unknown
            }
        }
    }

    private static void closeQuietly(P2PConnection c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // ending anyway
        }
    }
}
