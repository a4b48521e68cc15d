package org.annexhost.plugins.s3;

import java.io.IOException;
import java.util.Set;
import org.annexhost.api.Capability;
import org.annexhost.api.ContentNotFoundException;
import org.annexhost.api.Presence;
import org.annexhost.api.StorageBackend;
import org.annexhost.api.content.Content;
import org.annexhost.api.content.ContentLengthException;
import org.annexhost.api.content.CountingInputStream;
import org.annexhost.api.content.ForwardingInputStream;
import org.annexhost.api.content.LimitedInputStream;
import org.annexhost.api.key.Key;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ObjectCannedACL;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Content in an S3 bucket as git-annex's S3 special remote lays it out ({@code Remote/S3.hs}):
 * one object per key, named {@code fileprefix} + the serialized key. An object becomes visible
 * only when its PUT (or multipart upload) completes, so a store whose stream throws or runs
 * short leaves nothing: the request is abandoned before S3 has the declared length, and a
 * multipart upload is aborted. Presence is a HEAD: 404 is absent, anything else that fails is
 * unknown, never absent.
 *
 * <p>Thread-safe: the SDK client is, and the backend holds nothing else that changes.
 */
final class S3Backend implements StorageBackend {
    private final S3Client s3;
    private final S3Settings settings;

    /** @param s3 the client, owned by this backend from now on */
    S3Backend(S3Client s3, S3Settings settings) {
        this.s3 = s3;
        this.settings = settings;
    }

    @Override
    public Set<Capability> capabilities() {
        return Set.of(Capability.RETRIEVES_IN_ORDER);
    }

    @Override
    public void store(Key key, Content content, long offset) throws IOException {
        if (offset != 0) {
            throw new IOException("S3 remote " + where() + " does not resume stores");
        }
        String object = settings.layout().objectName(key);
        try (CountingInputStream counted = content.counted();
             WatchedStream in = new WatchedStream(new LimitedInputStream(counted, content.length(), counted::drain))) {
            try {
                if (content.length() == 0) {
                    // The SDK never reads empty content: its end must be checked (and verified) now.
                    counted.drain();
                }
                if (settings.partSize() > 0 && content.length() > settings.partSize()) {
                    new S3MultipartUpload(s3, settings, object).upload(in, content.length());
                } else {
                    s3.putObject(putRequest(object), RequestBody.fromInputStream(in, content.length()));
                }
            } catch (SdkException | IllegalStateException e) {
                // The SDK wraps what the content stream threw, and a retry of a stream it cannot
                // re-read fails with IllegalStateException: report the stream's own failure.
                if (in.failure != null) {
                    throw in.failure;
                }
                throw failure("store " + key, e instanceof SdkException s ? s : SdkException.create(e.getMessage(), e));
            }
        }
    }

    /**
     * The content as the SDK reads it: remembers the first exception the stream threw. It wraps
     * the content limited to its declared length, whose last byte is handed over only once the
     * content's end was read: the SDK stops at the declared length, but a stream may only fail at
     * its end (a hash that does not match the key, content running long), and that failure must
     * abort the request, not follow a stored object.
     */
    private static final class WatchedStream extends ForwardingInputStream {
        IOException failure;

        WatchedStream(LimitedInputStream in) {
            super(in);
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                return in.read(b, off, len);
            } catch (IOException e) {
                if (failure == null) {
                    failure = e;
                }
                throw e;
            }
        }
    }

    private PutObjectRequest putRequest(String object) {
        PutObjectRequest.Builder b = PutObjectRequest.builder().bucket(settings.bucket()).key(object)
                .storageClass(settings.storageClass()).metadata(settings.metadata());
        if (settings.publicRead()) {
            b.acl(ObjectCannedACL.PUBLIC_READ);
        }
        if (!settings.tagging().isEmpty()) {
            b.tagging(settings.tagging());
        }
        return b.build();
    }

    @Override
    public Content retrieve(Key key, long offset) throws IOException {
        String object = settings.layout().objectName(key);
        try {
            ResponseInputStream<GetObjectResponse> in = s3.getObject(g -> {
                g.bucket(settings.bucket()).key(object);
                if (offset > 0) {
                    g.range("bytes=" + offset + "-");
                }
            });
            return new Content(in.response().contentLength(), in);
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                throw new ContentNotFoundException(key);
            }
            if (e.statusCode() == 416) {
                return fromTheEnd(key, object, offset, e);
            }
            throw failure("retrieve " + key, e);
        } catch (SdkException e) {
            throw failure("retrieve " + key, e);
        }
    }

    /** S3 answers a range starting at the end with 416; that is empty content if the object is that long. */
    private Content fromTheEnd(Key key, String object, long offset, S3Exception rangeError) throws IOException {
        HeadObjectResponse head;
        try {
            head = s3.headObject(h -> h.bucket(settings.bucket()).key(object));
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                throw new ContentNotFoundException(key);
            }
            throw failure("retrieve " + key, e);
        } catch (SdkException e) {
            throw failure("retrieve " + key, e);
        }
        if (head.contentLength() == offset) {
            return Content.empty();
        }
        throw failure("retrieve " + key + " from offset " + offset + " of " + head.contentLength(), rangeError);
    }

    @Override
    public Presence checkPresent(Key key) {
        String object = settings.layout().objectName(key);
        try {
            s3.headObject(h -> h.bucket(settings.bucket()).key(object));
            return Presence.present();
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return Presence.absent();
            }
            return Presence.unknown(where() + " answered HEAD " + object + " with HTTP " + e.statusCode()
                    + describe(e));
        } catch (SdkException e) {
            return Presence.unknown("cannot reach " + where() + ": " + e.getMessage());
        }
    }

    @Override
    public void remove(Key key) throws IOException {
        String object = settings.layout().objectName(key);
        try {
            s3.deleteObject(d -> d.bucket(settings.bucket()).key(object));
        } catch (S3Exception e) {
            if (e.statusCode() != 404) { // S3 itself answers 204 for a missing key; some servers 404
                throw failure("remove " + key, e);
            }
        } catch (SdkException e) {
            throw failure("remove " + key, e);
        }
    }

    @Override
    public void close() {
        s3.close();
    }

    /** @return the bucket and endpoint, for messages */
    String where() {
        return "bucket " + settings.bucket() + " at " + settings.endpoint();
    }

    /**
     * A failed request as an IOException. A stream that ran short keeps its own exception, so the
     * host sees invalid content rather than a storage failure.
     */
    IOException failure(String what, SdkException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ContentLengthException c) {
                return c;
            }
        }
        String detail = e instanceof S3Exception s ? "HTTP " + s.statusCode() + describe(s) : e.getMessage();
        return new IOException("cannot " + what + " in " + where() + ": " + detail, e);
    }

    private static String describe(S3Exception e) {
        if (e.awsErrorDetails() == null || e.awsErrorDetails().errorCode() == null) {
            return "";
        }
        return " " + e.awsErrorDetails().errorCode()
                + (e.awsErrorDetails().errorMessage() == null ? "" : " (" + e.awsErrorDetails().errorMessage() + ")");
    }
}
