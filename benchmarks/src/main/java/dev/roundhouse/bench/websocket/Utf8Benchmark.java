package dev.roundhouse.bench.websocket;

import dev.roundhouse.websocket.fastpath.Utf8Reference;
import dev.roundhouse.websocket.fastpath.Utf8Validator;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
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
 * Validating one complete, valid UTF-8 message of {@code size} bytes held in a heap array; GB/s =
 * ops/s × size / 10⁹. {@code text}: see {@link Payloads#text}.
 *
 * <ul>
 *   <li>{@code fast}: {@link Utf8Validator#validate(int, byte[], int, int)} from {@code ACCEPT}.
 *   <li>{@code reference}: {@link Utf8Reference}, byte at a time.
 *   <li>{@code jdkDecoder}: the JDK's UTF-8 {@link CharsetDecoder} with {@code REPORT} for
 *       malformed input, decoding into a preallocated {@link CharBuffer}. It also produces the
 *       chars (validation alone is not public in the JDK), so it does more work than a validator.
 *   <li>{@code netty}: {@link NettyCodecs.Utf8}, Netty's {@code Utf8FrameValidator} handler.
 * </ul>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Thread)
// Netty's leak detector (SIMPLE by default) samples allocations; off, as in Netty's own JMH harness.
@Fork(value = 1, jvmArgsAppend = "-Dio.netty.leakDetection.level=disabled")
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class Utf8Benchmark {
    @Param({"16", "1024", "1048576"})
    public int size;

    @Param({"ascii", "mixed"})
    public String text;

    private byte[] bytes;
    private ByteBuffer in;
    private CharBuffer out;
    private CharsetDecoder decoder;
    private NettyCodecs.Utf8 netty;

    @Setup
    public void setUp() {
        bytes = Payloads.text(text, size);
        in = ByteBuffer.wrap(bytes);
        out = CharBuffer.allocate(size);
        decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        netty = new NettyCodecs.Utf8(bytes);
        if (fast() != Utf8Validator.ACCEPT || reference() != Utf8Reference.ACCEPT || jdkDecoder() != 0) {
            throw new AssertionError("the " + text + " payload is not valid UTF-8");
        }
    }

    @TearDown
    public void tearDown() {
        netty.close();
    }

    @Benchmark
    public int fast() {
        return Utf8Validator.validate(Utf8Validator.ACCEPT, bytes, 0, size);
    }

    @Benchmark
    public int reference() {
        return Utf8Reference.validate(Utf8Reference.ACCEPT, bytes, 0, size);
    }

    /** Returns 0 when the input was valid (and decoded whole), another value otherwise. */
    @Benchmark
    public int jdkDecoder() {
        in.clear();
        out.clear();
        decoder.reset();
        CoderResult result = decoder.decode(in, out, true);
        if (result.isError() || decoder.flush(out).isError()) {
            return -1;
        }
        return in.remaining() + (out.position() == 0 ? 1 : 0);
    }

    @Benchmark
    public int netty() {
        return netty.validate();
    }
}
