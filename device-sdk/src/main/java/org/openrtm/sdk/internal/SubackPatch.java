package org.openrtm.sdk.internal;

import org.jetbrains.annotations.Nullable;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Works around a bug of Paho 1.2.5: it accepts only some of the SUBACK reason codes MQTT 5 defines and treats any
 * other as a protocol error that kills the connection. 0x97 Quota exceeded (the server's answer to one join or
 * presence subscription too many), 0x9E, 0xA1 and 0xA2 are among the missing ones.
 *
 * <p>This class watches every byte the connection receives (on Paho's receiver thread, before Paho parses it),
 * follows the packet boundaries, and in each SUBACK replaces a code Paho would reject by 0x80 Unspecified error, in
 * place (the packet keeps its length). It remembers the original codes by packet id; the engine looks them up when
 * Paho reports the SUBACK ({@link #originalCodes(int)}). One instance per connection.
 */
final class SubackPatch {

    private static final int SUBACK = 0x90;
    private static final int REPLACEMENT = 0x80;

    private enum State { TYPE, LENGTH, BODY }

    private State state = State.TYPE;
    private int type;
    private int remaining;
    private int lengthMultiplier;
    // SUBACK parsing
    private int bodyPos;
    private int packetId;
    private int propsLength;
    private int propsLengthMultiplier;
    private boolean propsLengthDone;
    private int codesStart;
    private int[] codes;
    private boolean patched;
    private final Map<Integer, int[]> originals = new ConcurrentHashMap<>();

    /** Whether Paho 1.2.5 accepts this SUBACK reason code (its {@code MqttSubAck} list). */
    static boolean pahoAccepts(final int code) {
        switch (code) {
            case 0x00: case 0x01: case 0x02: case 0x80: case 0x83: case 0x87: case 0x8F: case 0x91: case 0x9E:
                return true;
            default:
                return false;
        }
    }

    /** Processes received bytes, patching them in place. Paho's receiver thread only. */
    void process(final byte[] b, final int off, final int len) {
        for (int i = off; i < off + len; i++) {
            b[i] = (byte) next(b[i] & 0xFF);
        }
    }

    /** Processes one received byte and returns it, patched. */
    int next(final int v) {
        switch (state) {
            case TYPE:
                type = v & 0xF0;
                remaining = 0;
                lengthMultiplier = 1;
                state = State.LENGTH;
                return v;
            case LENGTH:
                remaining += (v & 0x7F) * lengthMultiplier;
                lengthMultiplier *= 128;
                if ((v & 0x80) == 0) {
                    startBody();
                }
                return v;
            default:
                remaining--;
                final int out = type == SUBACK ? subackByte(v) : v;
                if (remaining == 0) {
                    endBody();
                }
                return out;
        }
    }

    private void startBody() {
        bodyPos = 0;
        packetId = 0;
        propsLength = 0;
        propsLengthMultiplier = 1;
        propsLengthDone = false;
        codesStart = Integer.MAX_VALUE;
        codes = null;
        patched = false;
        if (remaining == 0) {
            endBody();
        } else {
            state = State.BODY;
        }
    }

    private int subackByte(final int v) {
        final int pos = bodyPos++;
        if (pos < 2) {
            packetId = (packetId << 8) | v;
            return v;
        }
        if (!propsLengthDone) {
            propsLength += (v & 0x7F) * propsLengthMultiplier;
            propsLengthMultiplier *= 128;
            if ((v & 0x80) == 0) {
                propsLengthDone = true;
                codesStart = pos + 1 + propsLength;
                codes = new int[Math.max(0, remaining - propsLength)];
            }
            return v;
        }
        if (pos < codesStart) {
            return v;
        }
        final int index = pos - codesStart;
        if (codes != null && index < codes.length) {
            codes[index] = v;
        }
        if (!pahoAccepts(v)) {
            patched = true;
            return REPLACEMENT;
        }
        return v;
    }

    private void endBody() {
        if (type == SUBACK && patched && codes != null) {
            originals.put(packetId, codes);
        }
        state = State.TYPE;
    }

    /**
     * The codes the server really sent in the SUBACK with this packet id, if this class had to patch it (removed on
     * reading); null if the SUBACK was passed unchanged.
     */
    @Nullable int[] originalCodes(final int packetId) {
        return originals.remove(packetId);
    }
}
