package dev.roundhouse.bench.websocket;

import dev.roundhouse.websocket.fastpath.Masking;
import java.nio.ByteBuffer;
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
 * Masking a payload held in a direct {@link ByteBuffer} (our side) or a direct pooled
 * {@code ByteBuf} (Netty's side). Same units and conventions as {@link MaskingBenchmark}. There is
 * no byte-at-a-time reference for buffers ({@code MaskingReference} takes arrays); the report
 * compares against the heap reference of the same size.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Thread)
// Netty's leak detector (SIMPLE by default) samples allocations; off, as in Netty's own JMH harness.
@Fork(value = 1, jvmArgsAppend = "-Dio.netty.leakDetection.level=disabled")
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class MaskingDirectBenchmark {
    @Param({"16", "1024", "1048576"})
    public int size;

    private ByteBuffer buf;
    private NettyCodecs.Decoder decoder;
    private NettyCodecs.Encoder encoder;

    @Setup
    public void setUp() {
        byte[] payload = Payloads.randomBytes(size);
        buf = ByteBuffer.allocateDirect(size).put(payload).flip();
        decoder = new NettyCodecs.Decoder(payload, true, Payloads.KEY);
        encoder = new NettyCodecs.Encoder(payload, true);
    }

    @TearDown
    public void tearDown() {
        decoder.close();
        encoder.close();
    }

    @Benchmark
    public byte fast() {
        Masking.mask(buf, Payloads.KEY, 0);
        return buf.get(size - 1);
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
