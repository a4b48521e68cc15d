package org.annexhost.plugins.s3;

import org.annexhost.api.key.Key;

/**
 * Where keys go in a bucket, as git-annex's S3 remote puts them ({@code getBucketObject}): the
 * {@code fileprefix} followed by the serialized key, with no hash directories; chunk keys are
 * ordinary keys. Immutable.
 *
 * @param prefix the remote's {@code fileprefix=}, often empty or ending in {@code /}
 */
record S3Layout(String prefix) {
    /** @return the object name of a key */
    String objectName(Key key) {
        return prefix + key;
    }

    /**
     * @return the object naming the remote's uuid, which git-annex writes when it creates a
     *     remote ({@code uuidFile}: {@code fileprefix} + {@code annex-uuid})
     */
    String uuidFile() {
        return prefix + "annex-uuid";
    }
}
