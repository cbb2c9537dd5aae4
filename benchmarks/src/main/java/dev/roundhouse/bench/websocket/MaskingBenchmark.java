package dev.roundhouse.bench.websocket;

import dev.roundhouse.websocket.fastpath.Masking;
import dev.roundhouse.websocket.fastpath.MaskingReference;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Masking a payload held in a heap {@code byte[]}: one operation masks {@code size} bytes, so
 * GB/s = ops/s × size / 10⁹ (the report does the conversion).
 *
 * <ul>
 *   <li>{@code fast}: {@link Masking#mask(byte[], int, int, int, long)} in place.
 *   <li>{@code reference}: {@link MaskingReference}, byte at a time, in place.
 *   <li>{@code fastCopy}: {@link Masking#maskCopy}, copy into a second array and mask it, which is
 *       the work Netty's codec always does (it never masks in place).
 *   <li>{@code nettyDecoder}, {@code nettyEncoder}: see {@link NettyCodecs.Decoder} and
 *       {@link NettyCodecs.Encoder}, heap buffers throughout. Both include framing, one pooled
 *       allocation and a copy per frame.
 * </ul>
 *
 * <p>Masking in place flips the buffer between its masked and clear forms on every call; the work
 * is the same either way. Each method returns a byte of the result so the JIT must do the work.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Thread)
// Netty's leak detector (SIMPLE by default) samples allocations; off, as in Netty's own JMH harness.
@Fork(value = 1, jvmArgsAppend = "-Dio.netty.leakDetection.level=disabled")
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class MaskingBenchmark {
    @Param({"16", "1024", "1048576"})
    public int size;

    private byte[] buf;
    private byte[] copy;
    private NettyCodecs.Decoder decoder;
    private NettyCodecs.Encoder encoder;

    @Setup
    public void setUp() {
        buf = Payloads.randomBytes(size);
        copy = new byte[size];
        decoder = new NettyCodecs.Decoder(buf, false, Payloads.KEY);
        encoder = new NettyCodecs.Encoder(buf, false);
    }

    @TearDown
    public void tearDown() {
        decoder.close();
        encoder.close();
    }

    @Benchmark
    public byte fast() {
        Masking.mask(buf, 0, size, Payloads.KEY, 0);
        return buf[size - 1];
    }

    @Benchmark
    public byte reference() {
        MaskingReference.mask(buf, 0, size, Payloads.KEY, 0);
        return buf[size - 1];
    }

    @Benchmark
    public byte fastCopy() {
        Masking.maskCopy(buf, 0, copy, 0, size, Payloads.KEY, 0);
        return copy[size - 1];
    }

    @Benchmark
    public int nettyDecoder() {
        return decoder.decode();
    }

    @Benchmark
    public int nettyEncoder() {
        return encoder.encode();
    }
}
