package org.openrtm.sdk.internal;

import org.jetbrains.annotations.Nullable;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Reads the CONNACK out of the first bytes a connection receives, because Paho reports a refused CONNECT only by
 * its reason code and drops the server's reason string, which names the actual problem ("token expired at ...").
 * Fed by the socket's input stream on Paho's receiver thread; read by the engine after the connect failed.
 */
final class ConnackSniffer {

    /** What the CONNACK said. */
    static final class Connack {
        final int reasonCode;
        final String reasonString;

        Connack(final int reasonCode, final @Nullable String reasonString) {
            this.reasonCode = reasonCode;
            this.reasonString = reasonString;
        }
    }

    private static final int MAX_PACKET = 65536;

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private volatile boolean finished;
    private volatile Connack connack;

    /** Feeds received bytes; cheap once the first packet is complete. */
    void feed(final byte[] b, final int off, final int len) {
        if (finished || len <= 0) {
            return;
        }
        synchronized (this) {
            feedLocked(b, off, len);
        }
    }

    private void feedLocked(final byte[] b, final int off, final int len) {
        if (finished) {
            return;
        }
        bytes.write(b, off, len);
        final byte[] all = bytes.toByteArray();
        final int total = packetLength(all);
        if (total == -2) {
            finished = true;
            return;
        }
        if (total < 0 || all.length < total) {
            return;
        }
        finished = true;
        connack = parse(all);
    }

    /** The CONNACK, once fully received and parsed; null before, or if the first packet was not a CONNACK. */
    @Nullable Connack connack() {
        return connack;
    }

    /** -1: need more bytes; -2: not a CONNACK or too large; otherwise the length of the whole first packet. */
    private static int packetLength(final byte[] b) {
        if (b.length == 0) {
            return -1;
        }
        if ((b[0] & 0xFF) != 0x20) {
            return -2;
        }
        int value = 0;
        int multiplier = 1;
        for (int i = 1; i < 5; i++) {
            if (i >= b.length) {
                return -1;
            }
            final int digit = b[i] & 0xFF;
            value += (digit & 0x7F) * multiplier;
            if ((digit & 0x80) == 0) {
                return value > MAX_PACKET ? -2 : i + 1 + value;
            }
            multiplier *= 128;
        }
        return -2;
    }

    /** Parses a complete CONNACK packet (fixed header included); null if malformed. */
    static @Nullable Connack parse(final byte[] packet) {
        try {
            final Reader r = new Reader(packet);
            r.u8(); // packet type
            r.varInt(); // remaining length
            r.u8(); // acknowledge flags
            final int reasonCode = r.u8();
            if (!r.hasMore()) {
                return new Connack(reasonCode, null);
            }
            final int end = r.varInt() + r.pos;
            String reasonString = null;
            while (r.pos < end) {
                final int id = r.u8();
                switch (id) {
                    case 0x01: case 0x17: case 0x19: case 0x24: case 0x25: case 0x28: case 0x29: case 0x2A:
                        r.skip(1);
                        break;
                    case 0x13: case 0x21: case 0x22: case 0x23:
                        r.skip(2);
                        break;
                    case 0x02: case 0x11: case 0x18: case 0x27:
                        r.skip(4);
                        break;
                    case 0x0B:
                        r.varInt();
                        break;
                    case 0x1F:
                        reasonString = r.utf8();
                        break;
                    case 0x03: case 0x08: case 0x09: case 0x12: case 0x15: case 0x16: case 0x1A: case 0x1C:
                        r.skip(r.u16());
                        break;
                    case 0x26:
                        r.skip(r.u16());
                        r.skip(r.u16());
                        break;
                    default:
                        return new Connack(reasonCode, reasonString);
                }
            }
            return new Connack(reasonCode, reasonString);
        } catch (final IndexOutOfBoundsException e) {
            return null;
        }
    }

    private static final class Reader {
        final byte[] b;
        int pos;

        Reader(final byte[] b) {
            this.b = b;
        }

        boolean hasMore() {
            return pos < b.length;
        }

        int u8() {
            if (pos >= b.length) {
                throw new IndexOutOfBoundsException("end of packet");
            }
            return b[pos++] & 0xFF;
        }

        int u16() {
            return (u8() << 8) | u8();
        }

        int varInt() {
            int value = 0;
            int multiplier = 1;
            for (int i = 0; i < 4; i++) {
                final int digit = u8();
                value += (digit & 0x7F) * multiplier;
                if ((digit & 0x80) == 0) {
                    return value;
                }
                multiplier *= 128;
            }
            throw new IndexOutOfBoundsException("variable byte integer too long");
        }

        void skip(final int n) {
            if (pos + n > b.length) {
                throw new IndexOutOfBoundsException("end of packet");
            }
            pos += n;
        }

        String utf8() {
            final int n = u16();
            if (pos + n > b.length) {
                throw new IndexOutOfBoundsException("end of packet");
            }
            final String s = new String(b, pos, n, StandardCharsets.UTF_8);
            pos += n;
            return s;
        }
    }
}
