package org.annexhost.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The start-up warm-up does the real per-file work, every request answered as the protocol says, and leaves nothing behind. */
@Timeout(120)
class WarmupTest {
    @Test
    void everyRequestSucceedsAndTheScratchRepositoryIsRemoved() throws Exception {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        long before = scratch(tmp);
        Warmup.run(40); // throws naming the request and round that did not succeed
        assertThat(scratch(tmp)).as("scratch repositories left in %s", tmp).isEqualTo(before);
    }

    private static long scratch(Path tmp) throws Exception {
        try (Stream<Path> s = Files.list(tmp)) {
            return s.filter(p -> p.getFileName().toString().startsWith("annexhost-warmup")).count();
        }
    }
}
