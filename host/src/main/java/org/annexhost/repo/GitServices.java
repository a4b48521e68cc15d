package org.annexhost.repo;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.annexhost.p2p.message.GitService;
import org.annexhost.p2p.server.RepositoryServices;
import org.annexhost.p2p.server.ServerMode;

/**
 * The git side of a served repository: runs upload-pack/receive-pack for CONNECT, and watches refs
 * for NOTIFYCHANGE by polling {@code git for-each-ref} (portable; no inotify needed). Thread-safe.
 */
public final class GitServices implements RepositoryServices {
    private static final Duration POLL = Duration.ofMillis(500);

    private final HostRepository repo;

    /** @param repo the repository */
    public GitServices(HostRepository repo) {
        this.repo = repo;
    }

    @Override
    public Process startService(GitService service, ServerMode mode) throws IOException {
        if (service == GitService.UPLOAD_PACK && repo.isAnnex()) {
            // A fetch must see the branch with every journalled change.
            repo.branch().commit("update");
        }
        List<String> cmd = new ArrayList<>(List.of("git"));
        if (service == GitService.RECEIVE_PACK) {
            cmd.addAll(mode.receivePackSettings());
        }
        cmd.add(service.wire().substring("git-".length()));
        cmd.add(repo.gitDir().toString());
        return new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    }

    @Override
    public List<String> awaitRefChange(Duration maxWait, java.util.function.BooleanSupplier giveUp)
            throws IOException, InterruptedException {
        Map<String, String> before = refs();
        long deadline = System.nanoTime() + maxWait.toNanos();
        while (System.nanoTime() < deadline && !giveUp.getAsBoolean()) {
            Thread.sleep(POLL.toMillis());
            Map<String, String> now = refs();
            if (!now.equals(before)) {
                List<String> changed = new ArrayList<>();
                for (String ref : now.keySet()) {
                    if (!now.get(ref).equals(before.get(ref))) {
                        changed.add(ref);
                    }
                }
                for (String ref : before.keySet()) {
                    if (!now.containsKey(ref)) {
                        changed.add(ref);
                    }
                }
                return changed;
            }
        }
        return List.of();
    }

    private Map<String, String> refs() throws IOException {
        Map<String, String> out = new HashMap<>();
        for (String line : repo.git().run("for-each-ref", "--format=%(objectname) %(refname)").split("\n")) {
            int sp = line.indexOf(' ');
            if (sp > 0) {
                out.put(line.substring(sp + 1), line.substring(0, sp));
            }
        }
        return out;
    }
}
