package org.annexhost.plugins.s3;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
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
                String etag = s3.uploadPart(u -> u.bucket(settings.bucket()).key(object).uploadId(uploadId)
                                .partNumber(n).contentLength(size),
                        RequestBody.fromInputStream(new Window(in, size), size)).eTag();
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

    /** At most {@code size} bytes of a shared stream; closing it leaves the stream open. */
    private static final class Window extends FilterInputStream {
        private long left;

        Window(InputStream in, long size) {
            super(in);
            this.left = size;
        }

        @Override
        public int read() throws IOException {
            if (left <= 0) {
                return -1;
            }
            int b = in.read();
            if (b >= 0) {
                left--;
            }
            return b;
        }

        @Override
        public int read(byte[] buf, int off, int len) throws IOException {
            if (left <= 0) {
                return -1;
            }
            int n = in.read(buf, off, (int) Math.min(len, left));
            if (n > 0) {
                left -= n;
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long skipped = in.skip(Math.min(n, left));
            left -= skipped;
            return skipped;
        }

        @Override
        public int available() throws IOException {
            return (int) Math.min(super.available(), left);
        }

        @Override
        public boolean markSupported() {
            return false;
        }

        @Override
        public void close() {
            // the next part reads on
        }
    }
}
