package org.annexhost.activity;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A repository's audit log: {@code GITDIR/annex/annexhost-audit.log}, one JSON object per line
 * for each content change or refusal, appended by every process that serves the repository (the
 * running host and ssh shells alike) and kept across restarts. Each record is one append of less
 * than a page, so records of concurrent processes never interleave. It is a record for people;
 * the location log stays the truth of where content is, so a record is not synced to disk before
 * the client is answered. Thread-safe.
 */
public final class AuditLog {
    /** Where under the git directory it is kept. */
    public static final String PATH = "annex/annexhost-audit.log";

    private AuditLog() {
    }

    /** @return the audit log of the repository with this git directory */
    public static Path of(Path gitDir) {
        return gitDir.resolve(PATH);
    }

    /** Appends the change to its repository's audit log. */
    static void append(Change c) throws IOException {
        Path file = of(c.place().gitDir());
        byte[] line = (json(c) + "\n").getBytes(StandardCharsets.UTF_8);
        if (!Files.isDirectory(file.getParent())) {
            Files.createDirectories(file.getParent());
        }
        Files.write(file, line, StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
    }

    /** @return the change as one line of JSON */
    static String json(Change c) {
        StringBuilder b = new StringBuilder(256).append('{');
        field(b, "time", c.time().toString()).append(',');
        field(b, "id", c.id()).append(',');
        field(b, "via", c.via()).append(',');
        field(b, "user", c.user()).append(',');
        field(b, "client", c.client()).append(',');
        field(b, "repository", c.place().repository()).append(',');
        field(b, "remote", c.place().remote().orElse("")).append(',');
        field(b, "key", c.key()).append(',');
        field(b, "operation", c.operation().word()).append(',');
        field(b, "result", c.result().word()).append(',');
        b.append("\"bytes\":").append(c.bytes());
        if (!c.detail().isEmpty()) {
            field(b.append(','), "detail", c.detail());
        }
        return b.append('}').toString();
    }

    private static StringBuilder field(StringBuilder b, String name, String value) {
        return b.append('"').append(name).append("\":").append(Json.quote(value));
    }
}
