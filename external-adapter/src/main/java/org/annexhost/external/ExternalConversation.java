package org.annexhost.external;

import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import org.annexhost.external.message.ExceptionalMessage;
import org.annexhost.external.message.ExternalCodec;
import org.annexhost.external.message.Request;
import org.annexhost.external.message.RemoteRequest;
import org.annexhost.external.message.Response;
import org.annexhost.external.process.LineChannel;

/**
 * One request to an external remote process and everything until its reply: the remote's own
 * queries are answered as they come, PROGRESS keeps the deadline alive, and anything the protocol
 * does not allow kills the process with a message that quotes what it sent.
 *
 * <p>Used by one thread at a time, with the process it was given.
 */
final class ExternalConversation {
    private final LineChannel process;
    private final HostQueries queries;
    private final Duration idle;

    ExternalConversation(LineChannel process, HostQueries queries, Duration idle) {
        this.process = process;
        this.queries = queries;
        this.idle = idle;
    }

    /** Sends the request and returns the remote's response to it. */
    Response request(Request request) throws IOException {
        process.writeLine(ExternalCodec.format(request));
        return awaitResponse(ExternalCodec.format(request).split(" ")[0]);
    }

    /** Reads until a response arrives, answering the remote's queries meanwhile. */
    Response awaitResponse(String what) throws IOException {
        while (true) {
            Optional<String> line = process.readLine(idle);
            if (line.isEmpty()) {
                process.awaitExit(java.time.Duration.ofSeconds(2));
                String detail = process.deathDetail();
                process.kill("exited during " + what);
                throw new IOException("external remote " + process.name() + " exited during " + what + detail);
            }
            Optional<ExternalCodec.Tagged> parsed = ExternalCodec.parse(line.get());
            if (parsed.isEmpty()) {
                process.kill("sent an unparsable line");
                throw new IOException("external remote " + process.name() + " sent a line the protocol does not have"
                        + " during " + what + ": \"" + abbreviate(line.get()) + "\"");
            }
            if (parsed.get().message() instanceof Response r) {
                return r;
            }
            if (parsed.get().message() instanceof ExceptionalMessage e) {
                process.kill("sent ERROR");
                throw new IOException("external special remote error: " + e.error());
            }
            answer((RemoteRequest) parsed.get().message());
        }
    }

    private void answer(RemoteRequest r) throws IOException {
        HostQueries.Answer a = queries.answer(r);
        for (org.annexhost.external.message.RemoteResponse response : a.responses()) {
            process.writeLine(ExternalCodec.format(response));
        }
        if (a.error().isPresent()) {
            process.writeLine(ExternalCodec.format(new ExceptionalMessage(a.error().get())));
        }
    }

    private static String abbreviate(String s) {
        return s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }
}
