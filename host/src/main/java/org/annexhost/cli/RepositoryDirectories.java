package org.annexhost.cli;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import org.annexhost.repo.HostRepository;

/**
 * Finds the git-annex repositories below directories, as {@code git annex p2phttp --directory}
 * does: a repository inside another one is not looked for. Stateless.
 */
final class RepositoryDirectories {
    private RepositoryDirectories() {
    }

    static List<Path> find(List<Path> roots) throws IOException {
        List<Path> out = new ArrayList<>();
        for (Path root : roots) {
            if (!Files.isDirectory(root)) {
                continue;
            }
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                    boolean repo = Files.isRegularFile(dir.resolve("config")) && Files.isDirectory(dir.resolve("objects"))
                            || Files.isDirectory(dir.resolve(".git"));
                    if (repo) {
                        if (HostRepository.open(dir).isAnnex()) {
                            out.add(dir);
                        }
                        return FileVisitResult.SKIP_SUBTREE;
                    }
                    return FileVisitResult.CONTINUE;
                }
            });
        }
        return out;
    }
}
