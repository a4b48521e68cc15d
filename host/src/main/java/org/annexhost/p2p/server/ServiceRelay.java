package org.annexhost.p2p.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.Optional;
import org.annexhost.api.content.Content;
import org.annexhost.p2p.message.GitService;
import org.annexhost.p2p.message.Message;
import org.annexhost.p2p.transport.P2PConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Relays a git service over the protocol after CONNECT: the service's output goes to the client as
 * DATA, the client's DATA goes to the service, and CONNECTDONE reports its exit code. The
 * conversation ends afterwards, as git-annex ends it, since git may leave unread data behind.
 *
 * <p>One per CONNECT; uses one extra thread for the client-to-service direction.
 */
final class ServiceRelay {
    private static final Logger LOG = LoggerFactory.getLogger(ServiceRelay.class);

    private final P2PConnection connection;
    private final Optional<RepositoryServices> services;
    private final ServerMode mode;

    ServiceRelay(P2PConnection connection, Optional<RepositoryServices> services, ServerMode mode) {
        this.connection = connection;
        this.services = services;
        this.mode = mode;
    }

    Outcome run(GitService service) throws IOException {
        if (service == GitService.RECEIVE_PACK && !mode.mayPush()) {
            connection.send(new Message.Error(ServerMode.READ_ONLY_ERROR));
            return Outcome.DONE;
        }
        if (services.isEmpty()) {
            connection.send(new Message.Error("git services are not available here"));
            return Outcome.DONE;
        }
        Process process = services.get().startService(service, mode);
        Thread fromClient = new Thread(() -> pumpFromClient(process.getOutputStream()),
                connection.name() + "-relay-in");
        fromClient.setDaemon(true);
        fromClient.start();
        try (InputStream out = process.getInputStream()) {
            byte[] buf = new byte[64 * 1024];
            int n;
            while ((n = out.read(buf)) > 0) {
                connection.sendContent(new Content(n, new java.io.ByteArrayInputStream(Arrays.copyOf(buf, n))));
            }
            int code = process.waitFor();
            connection.send(new Message.ConnectDone(code));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroy();
        } finally {
            process.destroy();
        }
        return Outcome.DONE;
    }

    private void pumpFromClient(OutputStream toService) {
        try (toService) {
            while (true) {
                Optional<Message> m = connection.receive();
                if (m.isPresent() && m.get() instanceof Message.Data) {
                    connection.receivedContent().counted().transferTo(toService);
                    toService.flush();
                } else {
                    return;
                }
            }
        } catch (IOException e) {
            LOG.debug("{}: relay from client ended: {}", connection.name(), e.getMessage());
        }
    }
}
