package org.annexhost.plugins.s3;

import java.time.Duration;
import java.util.Optional;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Builds the AWS SDK client for a remote's settings: the JDK's HttpURLConnection as transport
 * (no Netty, no extra threads), the endpoint and request style git-annex would use, static
 * credentials (never the SDK's default chain, which would read files the remote was not
 * configured with), and checksums only where S3 requires them, so any S3-compatible server
 * that takes SigV4 works. Stateless.
 */
final class S3Clients {
    private S3Clients() {
    }

    /**
     * @param settings the remote's settings
     * @param credentials its key pair; empty only for {@code signature=anonymous}
     * @return a thread-safe client, owned by the caller, who closes it
     */
    static S3Client build(S3Settings settings, Optional<S3Credentials> credentials) {
        // The SDK finds its interceptors and defaults through the context class loader; under
        // PF4J that must be the plugin's own loader, which holds the SDK.
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(S3Clients.class.getClassLoader());
        try {
            return S3Client.builder()
                    .httpClient(UrlConnectionHttpClient.builder()
                            .connectionTimeout(Duration.ofSeconds(10))
                            .socketTimeout(Duration.ofMinutes(2))
                            .build())
                    .endpointOverride(settings.endpoint())
                    .region(Region.of(settings.region()))
                    .forcePathStyle(settings.pathStyle())
                    .credentialsProvider(provider(settings, credentials))
                    .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                    .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                    .build();
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    private static AwsCredentialsProvider provider(S3Settings settings, Optional<S3Credentials> credentials) {
        if (settings.anonymous() || credentials.isEmpty()) {
            return AnonymousCredentialsProvider.create();
        }
        S3Credentials c = credentials.get();
        return StaticCredentialsProvider.create(c.sessionToken().isEmpty()
                ? AwsBasicCredentials.create(c.accessKey(), c.secret())
                : AwsSessionCredentials.create(c.accessKey(), c.secret(), c.sessionToken()));
    }
}
