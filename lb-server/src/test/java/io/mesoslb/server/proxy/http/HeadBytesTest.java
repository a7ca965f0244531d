package io.mesoslb.server.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

class HeadBytesTest {

    /** The run of field bytes from {@code i}, one byte at a time: what fieldBytesEnd must answer. */
    private static int byteLoop(byte[] head, int i) {
        while (HeadBytes.isFieldByte(head[i])) {
            i++;
        }
        return i;
    }

    @Test
    void aRunOfFieldBytesEndsAtTheFirstOtherByteWhateverItIsAndWhereverItStands() {
        // Every byte value at every place of runs as long as two words and a half, from every start in a word.
        for (int length = 0; length <= 20; length++) {
            for (int start = 0; start < 8; start++) {
                for (int at = 0; at <= length; at++) {
                    for (int b = 0; b < 256; b++) {
                        byte[] head = line(start, length);
                        head[start + at] = (byte) b;
                        assertThat(HeadBytes.fieldBytesEnd(head, start))
                                .as("byte 0x%02x at %d of a run of %d from %d", b, at, length, start)
                                .isEqualTo(byteLoop(head, start));
                    }
                }
            }
        }
    }

    @Test
    void randomValuesWithControlBytesTabsDelAndObsTextAgreeWithTheByteLoop() {
        byte[] alphabet = {'a', 'Z', ' ', '\t', 0x7F, (byte) 0x80, (byte) 0xFF, 0x00, 0x1F, '\n', ',', '"'};
        Random random = new Random(18);
        for (int n = 0; n < 20_000; n++) {
            byte[] head = new byte[random.nextInt(40) + 2];
            for (int k = 0; k < head.length - 2; k++) {
                head[k] = random.nextInt(4) == 0 ? alphabet[random.nextInt(alphabet.length)] : (byte) ('!' + random.nextInt(94));
            }
            head[head.length - 2] = '\r';
            head[head.length - 1] = '\n';
            int start = random.nextInt(head.length - 1);
            assertThat(HeadBytes.fieldBytesEnd(head, start)).as("run %d", n).isEqualTo(byteLoop(head, start));
        }
    }

    /** {@code start} bytes before, {@code length} visible bytes, then CRLF and a few more, as in a head. */
    private static byte[] line(int start, int length) {
        byte[] head = new byte[start + length + 4];
        for (int k = 0; k < head.length; k++) {
            head[k] = (byte) ('A' + k % 26);
        }
        head[start + length] = '\r';
        head[start + length + 1] = '\n';
        head[start + length + 2] = '\r';
        head[start + length + 3] = '\n';
        return head;
    }
}
