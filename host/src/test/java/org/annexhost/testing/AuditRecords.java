package org.annexhost.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.annexhost.activity.AuditLog;

/** A repository's audit log as tests read it: each line must be one JSON object. */
public final class AuditRecords {
    private static final ObjectMapper JSON = new ObjectMapper();

    private AuditRecords() {
    }

    /** @return the records of the repository with this git directory (none if it has no audit log) */
    public static List<JsonNode> of(Path gitDir) throws IOException {
        Path file = AuditLog.of(gitDir);
        List<JsonNode> out = new ArrayList<>();
        if (!Files.exists(file)) {
            return out;
        }
        for (String line : Files.readAllLines(file)) {
            JsonNode n = JSON.readTree(line);
            if (n == null || !n.isObject()) {
                throw new AssertionError("not a JSON object in " + file + ": " + line);
            }
            out.add(n);
        }
        return out;
    }

    /** @return how many records have every field equal to its value, given as name, value, name, value... */
    public static long count(List<JsonNode> records, String... fieldsAndValues) {
        return records.stream().filter(r -> {
            for (int i = 0; i + 1 < fieldsAndValues.length; i += 2) {
                JsonNode v = r.get(fieldsAndValues[i]);
                if (v == null || !v.asText().equals(fieldsAndValues[i + 1])) {
                    return false;
                }
            }
            return true;
        }).count();
    }
}
