package org.annexhost.http;

import java.nio.file.Path;
import org.annexhost.api.Uuid;

/**
 * A repository as HTTP serves it: at {@code /NAME} for git, and at its uuid for the annex API.
 *
 * @param name the path segment, the repository folder's name (e.g. {@code photos.git})
 * @param gitDir its git directory
 * @param uuid its annex uuid
 * @param access who may do what in this repository (the server's rules, or the repository's own)
 */
public record HttpRepository(String name, Path gitDir, Uuid uuid, HttpAccess access) {
}
