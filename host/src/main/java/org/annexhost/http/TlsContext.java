package org.annexhost.http;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * Builds Jetty's TLS context from the PEM files git annex p2phttp takes (--certfile,
 * --privatekeyfile, --chainfile). The private key must be PKCS#8 ({@code BEGIN PRIVATE KEY}, as
 * {@code openssl req -nodes} writes it); RSA and EC keys are understood. Stateless.
 */
final class TlsContext {
    private static final Pattern PEM = Pattern.compile("-----BEGIN ([A-Z ]+)-----(.*?)-----END \\1-----", Pattern.DOTALL);

    private TlsContext() {
    }

    static SslContextFactory.Server from(HttpOptions.TlsFiles files) throws IOException, GeneralSecurityException {
        List<Certificate> chain = new ArrayList<>(certificates(files.certificate()));
        if (files.chain().isPresent()) {
            chain.addAll(certificates(files.chain().get()));
        }
        if (chain.isEmpty()) {
            throw new IOException("no certificate in " + files.certificate());
        }
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        char[] password = "annexhost".toCharArray();
        ks.setKeyEntry("server", privateKey(files.privateKey()), password, chain.toArray(Certificate[]::new));
        SslContextFactory.Server f = new SslContextFactory.Server();
        f.setKeyStore(ks);
        f.setKeyStorePassword("annexhost");
        return f;
    }

    private static List<Certificate> certificates(Path pem) throws IOException, GeneralSecurityException {
        CertificateFactory cf = CertificateFactory.getInstance("X.509");
        List<Certificate> out = new ArrayList<>();
        for (byte[] der : blocks(pem, "CERTIFICATE")) {
            out.add(cf.generateCertificate(new ByteArrayInputStream(der)));
        }
        return out;
    }

    private static PrivateKey privateKey(Path pem) throws IOException, GeneralSecurityException {
        List<byte[]> keys = blocks(pem, "PRIVATE KEY");
        if (keys.isEmpty()) {
            throw new IOException("no PKCS#8 \"BEGIN PRIVATE KEY\" block in " + pem
                    + " (convert with: openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pk8)");
        }
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(keys.get(0));
        for (String alg : new String[] {"RSA", "EC", "Ed25519"}) {
            try {
                return KeyFactory.getInstance(alg).generatePrivate(spec);
            } catch (GeneralSecurityException tryNext) {
                // not this algorithm
            }
        }
        throw new IOException("unsupported private key type in " + pem);
    }

    private static List<byte[]> blocks(Path pem, String type) throws IOException {
        List<byte[]> out = new ArrayList<>();
        Matcher m = PEM.matcher(Files.readString(pem));
        while (m.find()) {
            if (m.group(1).equals(type)) {
                out.add(Base64.getMimeDecoder().decode(m.group(2).trim()));
            }
        }
        return out;
    }
}
