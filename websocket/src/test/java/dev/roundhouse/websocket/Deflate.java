package dev.roundhouse.websocket;

import java.io.ByteArrayOutputStream;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/** Test-side permessage-deflate, written independently of {@link PerMessageDeflate}. */
final class Deflate {
    final Deflater deflater;
    final Inflater inflater = new Inflater(true);

    Deflate() {
        this(Deflater.BEST_SPEED);
    }

    Deflate(int level) {
        deflater = new Deflater(level, true);
    }

    byte[] compress(byte[] data) {
        deflater.setInput(data);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        int n;
        do {
            n = deflater.deflate(buf, 0, buf.length, Deflater.SYNC_FLUSH);
            out.write(buf, 0, n);
        } while (n == buf.length);
        byte[] b = out.toByteArray();
        return b.length < 4 ? new byte[1] : java.util.Arrays.copyOf(b, b.length - 4);
    }

    byte[] decompress(byte[] data) throws DataFormatException {
        inflater.setInput(Wire.concat(data, Wire.bytes(0, 0, 0xFF, 0xFF)));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        int n;
        while ((n = inflater.inflate(buf)) > 0) {
            out.write(buf, 0, n);
        }
        return out.toByteArray();
    }
}
