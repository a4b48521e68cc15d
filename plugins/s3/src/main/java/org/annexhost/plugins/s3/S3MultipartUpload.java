package org.annexhost.plugins.s3;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.annexhost.api.content.LimitedInputStream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.ObjectCannedACL;

/**
 * One object uploaded in parts of {@code partsize=} bytes, as git-annex does for files larger
 * than the part size: each part is a window of the one incoming stream, sent as it is read, so
 * nothing is buffered whole. The object appears only when the upload completes; if anything
 * fails the upload is aborted, leaving no object and no stored parts.
 *
 * <p>Used once, by one thread.
 */
final class S3MultipartUpload {
    private final S3Client s3;
    private final S3Settings settings;
    private final String object;

    S3MultipartUpload(S3Client s3, S3Settings settings, String object) {
        this.s3 = s3;
        this.settings = settings;
        this.object = object;
    }

    /** Uploads exactly {@code length} bytes of {@code in}. */
    void upload(InputStream in, long length) throws IOException {
        CreateMultipartUploadRequest.Builder create = CreateMultipartUploadRequest.builder()
                .bucket(settings.bucket()).key(object).storageClass(settings.storageClass())
                .metadata(settings.metadata());
        if (settings.publicRead()) {
            create.acl(ObjectCannedACL.PUBLIC_READ);
        }
        if (!settings.tagging().isEmpty()) {
            create.tagging(settings.tagging());
        }
        String uploadId = s3.createMultipartUpload(create.build()).uploadId();
        boolean completed = false;
        try {
            List<CompletedPart> parts = new ArrayList<>();
            long sent = 0;
            for (int number = 1; sent < length; number++) {
                long size = Math.min(settings.partSize(), length - sent);
                int n = number;
                // A window on the shared stream; closing it leaves the stream open for the next part.
                LimitedInputStream part = new LimitedInputStream(in, size, LimitedInputStream.Hook.NONE);
                String etag = s3.uploadPart(u -> u.bucket(settings.bucket()).key(object).uploadId(uploadId)
                                .partNumber(n).contentLength(size),
                        RequestBody.fromInputStream(part, size)).eTag();
                parts.add(CompletedPart.builder().partNumber(n).eTag(etag).build());
                sent += size;
            }
            s3.completeMultipartUpload(c -> c.bucket(settings.bucket()).key(object).uploadId(uploadId)
                    .multipartUpload(m -> m.parts(parts)));
            completed = true;
        } finally {
            if (!completed) {
                abort(uploadId);
            }
        }
    }

    private void abort(String uploadId) {
        try {
            s3.abortMultipartUpload(a -> a.bucket(settings.bucket()).key(object).uploadId(uploadId));
        } catch (SdkException ignored) {
            // the failure that got us here is the one to report; S3 expires abandoned uploads
        }
    }
}
