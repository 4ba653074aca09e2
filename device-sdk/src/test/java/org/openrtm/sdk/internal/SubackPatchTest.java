package org.openrtm.sdk.internal;

import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

/** The SUBACK patch: follows packet boundaries across reads, rewrites only SUBACK codes Paho rejects. */
class SubackPatchTest {

    /** PUBLISH (QoS 0, topic "a/0x97", payload 0x97), then a SUBACK id 0x0102 with a reason string and codes 1, 0x97, 0xA2. */
    private static byte[] stream() {
        final byte[] publish = {0x30, 8, 0, 4, 'a', '/', 'x', 'y', 0, (byte) 0x97};
        final byte[] suback = {(byte) 0x90, 10, 1, 2, 4, 0x1F, 0, 1, 'r', 1, (byte) 0x97, (byte) 0xA2};
        final byte[] all = Arrays.copyOf(publish, publish.length + suback.length);
        System.arraycopy(suback, 0, all, publish.length, suback.length);
        return all;
    }

    @Test
    void rejectedCodes_areReplacedInPlace_andRemembered_otherPacketsUntouched() {
        final byte[] in = stream();
        final SubackPatch patch = new SubackPatch();
        patch.process(in, 0, in.length);
        assertThat(in[9]).as("the PUBLISH payload").isEqualTo((byte) 0x97);
        assertThat(Arrays.copyOfRange(in, in.length - 3, in.length)).containsExactly(1, (byte) 0x80, (byte) 0x80);
        assertThat(patch.originalCodes(0x0102)).containsExactly(1, 0x97, 0xA2);
        assertThat(patch.originalCodes(0x0102)).as("read once").isNull();
    }

    @Test
    void byteByByte_givesTheSameResult_andAcceptedSubacksAreNotRemembered() {
        final byte[] in = stream();
        final SubackPatch patch = new SubackPatch();
        final byte[] out = new byte[in.length];
        for (int i = 0; i < in.length; i++) {
            out[i] = (byte) patch.next(in[i] & 0xFF);
        }
        final byte[] chunked = stream();
        final SubackPatch other = new SubackPatch();
        other.process(chunked, 0, 7);
        other.process(chunked, 7, chunked.length - 7);
        assertThat(out).containsExactly(chunked);
        assertThat(patch.originalCodes(0x0102)).containsExactly(1, 0x97, 0xA2);

        final byte[] fine = {(byte) 0x90, 4, 0, 9, 0, 1};
        final SubackPatch p3 = new SubackPatch();
        p3.process(fine, 0, fine.length);
        assertThat(fine[5]).isEqualTo((byte) 1);
        assertThat(p3.originalCodes(9)).isNull();
    }
}
