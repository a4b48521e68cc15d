package org.annexhost.plugins.s3;

import java.nio.charset.StandardCharsets;
import org.annexhost.api.BackendException;
import org.annexhost.api.Uuid;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketCannedACL;
import software.amazon.awssdk.services.s3.model.CreateBucketRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * A remote's bucket as git-annex's initremote prepares it ({@code genBucket},
 * {@code writeUUIDFile}): created if missing, in the configured region, and marked with an
 * {@code annex-uuid} object holding the remote's uuid. Used by initialization only; one thread.
 */
final class S3Bucket {
    private final S3Client s3;
    private final S3Settings settings;

    S3Bucket(S3Client s3, S3Settings settings) {
        this.s3 = s3;
        this.settings = settings;
    }

    /** Creates the bucket unless it exists. */
    void create() throws BackendException {
        try {
            s3.headBucket(h -> h.bucket(settings.bucket()));
            return;
        } catch (S3Exception e) {
            if (e.statusCode() != 404) {
                throw fail("cannot check bucket " + settings.bucket(), e);
            }
        } catch (SdkException e) {
            throw fail("cannot check bucket " + settings.bucket(), e);
        }
        CreateBucketRequest.Builder b = CreateBucketRequest.builder().bucket(settings.bucket());
        if (!settings.region().equals("us-east-1")) {
            b.createBucketConfiguration(c -> c.locationConstraint(settings.region()));
        }
        if (settings.publicRead()) {
            b.acl(BucketCannedACL.PUBLIC_READ);
        }
        try {
            s3.createBucket(b.build());
        } catch (S3Exception e) {
            if (e.awsErrorDetails() == null || !"BucketAlreadyOwnedByYou".equals(e.awsErrorDetails().errorCode())) {
                throw fail("cannot create bucket " + settings.bucket(), e);
            }
        } catch (SdkException e) {
            throw fail("cannot create bucket " + settings.bucket(), e);
        }
    }

    /**
     * Writes the remote's uuid to {@code fileprefix/annex-uuid} unless it is there. One naming
     * another remote is left as it is, with a warning: two remotes then share one store, and a
     * drop through one is not in the other's location log.
     */
    void claim(Uuid uuid, System.Logger log) throws BackendException {
        String file = settings.layout().uuidFile();
        String existing;
        try {
            existing = s3.getObjectAsBytes(g -> g.bucket(settings.bucket()).key(file)).asUtf8String().trim();
        } catch (S3Exception e) {
            if (e.statusCode() != 404) {
                throw fail("cannot read " + file, e);
            }
            existing = null;
        } catch (SdkException e) {
            throw fail("cannot read " + file, e);
        }
        if (existing == null) {
            try {
                s3.putObject(p -> p.bucket(settings.bucket()).key(file).storageClass(settings.storageClass()),
                        RequestBody.fromBytes(uuid.value().getBytes(StandardCharsets.UTF_8)));
            } catch (SdkException e) {
                throw fail("cannot write " + file, e);
            }
        } else if (!existing.equals(uuid.value())) {
            log.log(System.Logger.Level.WARNING, "bucket " + settings.bucket() + ": " + file + " names remote "
                    + existing + ", not " + uuid.value() + "; the two remotes share one store");
        }
    }

    private BackendException fail(String what, SdkException e) {
        String detail = e instanceof S3Exception s ? "HTTP " + s.statusCode()
                + (s.awsErrorDetails() != null && s.awsErrorDetails().errorCode() != null
                        ? " " + s.awsErrorDetails().errorCode() : "")
                : e.getMessage();
        return new BackendException(what + " at " + settings.endpoint() + ": " + detail, e);
    }
}
