package lxmert.data;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Random;

import org.junit.jupiter.api.Test;

class Base64CodecTest {
    @Test
    void decodesWhatTheJdkEncoderWrites() {
        Random r = new Random(1);
        for (int len = 0; len < 70; len++) {
            byte[] raw = new byte[len];
            r.nextBytes(raw);
            byte[] enc = Base64.getEncoder().encode(raw);
            byte[] padded = new byte[enc.length + 6];
            System.arraycopy(enc, 0, padded, 3, enc.length);
            assertEquals(len, Base64Codec.decodedLength(padded, 3, 3 + enc.length));
            byte[] out = new byte[len + 2];
            assertEquals(len, Base64Codec.decode(padded, 3, 3 + enc.length, out, 1));
            for (int i = 0; i < len; i++) assertEquals(raw[i], out[i + 1], "len " + len + " byte " + i);
            assertArrayEquals(enc, Base64Codec.encode(raw, 0, len), "encode len " + len);
        }
    }

    @Test
    void rejectsMalformedInput() {
        byte[] badChar = "QUJD*A==".getBytes(StandardCharsets.US_ASCII);
        var e = assertThrows(Base64Codec.Base64Exception.class, () -> Base64Codec.decode(badChar, 0, badChar.length, new byte[8], 0));
        assertTrue(e.getMessage().contains("'*'") && e.getMessage().contains("offset 4"), e.getMessage());
        byte[] badLen = "QUJDR".getBytes(StandardCharsets.US_ASCII);
        e = assertThrows(Base64Codec.Base64Exception.class, () -> Base64Codec.decodedLength(badLen, 0, badLen.length));
        assertTrue(e.getMessage().contains("multiple of 4"), e.getMessage());
        byte[] badPad = "QU=D".getBytes(StandardCharsets.US_ASCII);
        assertThrows(Base64Codec.Base64Exception.class, () -> Base64Codec.decode(badPad, 0, badPad.length, new byte[8], 0));
    }
}
