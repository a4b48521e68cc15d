package org.annexhost.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Waits for a started {@code annexhost serve} to say where it serves. Stateless. */
final class ServeProcess {
    private ServeProcess() {
    }

    /** @return the http url of the first repository the process serves, once it says so (within a minute) */
    static String awaitUrl(Process serve) throws Exception {
        BufferedReader out = new BufferedReader(new InputStreamReader(serve.getInputStream(), StandardCharsets.UTF_8));
        String line = CompletableFuture.supplyAsync(() -> {
            try {
                return out.readLine();
            } catch (Exception e) {
                return null;
            }
        }).get(60, TimeUnit.SECONDS);
        assertThat(line).as("server did not start").isNotNull().startsWith("serving http://");
        return line.substring("serving ".length(), line.indexOf(' ', "serving ".length()));
    }
}
