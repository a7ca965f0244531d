package io.mesoslb.server.tls;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;

/**
 * Turns the traditional OpenSSL key forms ({@code BEGIN RSA PRIVATE KEY}, PKCS#1, and
 * {@code BEGIN EC PRIVATE KEY}, SEC1) into PKCS#8, the only form the JDK's key factories read:
 * HAProxy's combined PEM files often carry them, and Netty reads them only with BouncyCastle,
 * which this balancer does not ship. Both are the same key wrapped in one more DER structure.
 */
final class Pkcs8 {
    /** AlgorithmIdentifier { rsaEncryption, NULL }. */
    private static final byte[] RSA_ALGORITHM = {0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86,
            (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00};
    /** The OID id-ecPublicKey, whole TLV. */
    private static final byte[] EC_PUBLIC_KEY = {0x06, 0x07, 0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x02, 0x01};
    private static final byte[] VERSION_0 = {0x02, 0x01, 0x00};

    private Pkcs8() {
    }

    static byte[] fromPkcs1Rsa(byte[] pkcs1) {
        return privateKeyInfo(RSA_ALGORITHM, pkcs1);
    }

    /**
     * The curve is named inside the SEC1 key ({@code [0] parameters}, which OpenSSL always writes) and
     * must be moved into the algorithm identifier.
     *
     * @throws IllegalArgumentException if the key names no curve
     */
    static byte[] fromSec1Ec(byte[] sec1) {
        byte[] curve = namedCurve(sec1);
        return privateKeyInfo(tlv(0x30, concat(EC_PUBLIC_KEY, curve)), sec1);
    }

    private static byte[] privateKeyInfo(byte[] algorithm, byte[] key) {
        return tlv(0x30, concat(VERSION_0, algorithm, tlv(0x04, key)));
    }

    /** ECPrivateKey ::= SEQUENCE { version, privateKey OCTET STRING, [0] parameters OPTIONAL, [1] publicKey OPTIONAL }. */
    private static byte[] namedCurve(byte[] sec1) {
        Der outer = new Der(sec1, 0);
        if (outer.tag != 0x30) {
            throw new IllegalArgumentException("EC key is not a DER sequence");
        }
        int at = outer.valueStart;
        while (at < outer.end) {
            Der field = new Der(sec1, at);
            if (field.tag == 0xa0) {
                Der oid = new Der(sec1, field.valueStart);
                if (oid.tag != 0x06) {
                    break;
                }
                return Arrays.copyOfRange(sec1, field.valueStart, oid.end);
            }
            at = field.end;
        }
        throw new IllegalArgumentException("EC key names no curve (explicit curve parameters are not supported)");
    }

    /** One DER element's header, read at {@code at}. */
    private static final class Der {
        final int tag;
        final int valueStart;
        final int end;

        Der(byte[] b, int at) {
            if (at + 2 > b.length) {
                throw new IllegalArgumentException("truncated DER");
            }
            tag = b[at] & 0xff;
            int len = b[at + 1] & 0xff;
            int p = at + 2;
            if (len > 0x80) {
                int n = len - 0x80;
                if (n > 3 || p + n > b.length) {
                    throw new IllegalArgumentException("bad DER length");
                }
                len = 0;
                for (int i = 0; i < n; i++) {
                    len = (len << 8) | (b[p++] & 0xff);
                }
            } else if (len == 0x80) {
                throw new IllegalArgumentException("indefinite DER length");
            }
            valueStart = p;
            end = p + len;
            if (end > b.length) {
                throw new IllegalArgumentException("truncated DER");
            }
        }
    }

    private static byte[] tlv(int tag, byte[] value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(value.length + 6);
        out.write(tag);
        int len = value.length;
        if (len < 0x80) {
            out.write(len);
        } else if (len < 0x100) {
            out.write(0x81);
            out.write(len);
        } else if (len < 0x10000) {
            out.write(0x82);
            out.write(len >> 8);
            out.write(len);
        } else {
            out.write(0x83);
            out.write(len >> 16);
            out.write(len >> 8);
            out.write(len);
        }
        out.writeBytes(value);
        return out.toByteArray();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
