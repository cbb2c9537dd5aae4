package dev.roundhouse.bench.websocket;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.Utf8FrameValidator;
import io.netty.handler.codec.http.websocketx.WebSocket08FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameEncoder;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.util.ReferenceCountUtil;

/**
 * Netty's public websocketx codec driven the narrowest public way that makes it mask, unmask or
 * validate: each handler alone in an {@link EmbeddedChannel}, a sink beside it that consumes what
 * it produces, and {@link ChannelPipeline#fireChannelRead} / {@link ChannelPipeline#write} as the
 * entry points. Nothing of Netty's code is copied here; what each figure includes is listed on
 * each method.
 *
 * <p><b>Thread:</b> one instance per benchmark thread (JMH {@code Scope.Thread}).
 */
final class NettyCodecs {
    private NettyCodecs() {
    }

    /** Receives decoded frames at the tail, keeps one byte of each for the Blackhole, releases them. */
    static final class InboundSink extends ChannelInboundHandlerAdapter {
        private final boolean release;
        int last;

        InboundSink(boolean release) {
            this.release = release;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf content = ((io.netty.buffer.ByteBufHolder) msg).content();
            last = content.isReadable() ? content.getByte(content.writerIndex() - 1) : -1;
            if (release) {
                ReferenceCountUtil.release(msg);
            }
        }
    }

    /** Swallows encoded buffers at the head instead of handing them to the channel. */
    static final class OutboundSink extends ChannelOutboundHandlerAdapter {
        int last;

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            ByteBuf out = (ByteBuf) msg;
            last = out.getByte(out.writerIndex() - 1) + out.readableBytes();
            out.release();
        }
    }

    static ByteBufAllocator allocator(boolean direct) {
        // Heap runs allocate heap copies, direct runs direct ones, so neither side pays a crossing.
        return new PooledByteBufAllocator(direct);
    }

    /**
     * Server-side receive: {@link WebSocket08FrameDecoder} expecting masked frames. Per call it
     * parses the frame header and 4-byte key, copies the payload into a new pooled buffer
     * ({@code ByteBufUtil.readBytes}), unmasks the copy (longs, then ints, then bytes), wraps it in a
     * {@link BinaryWebSocketFrame}, passes it to the sink, which releases it. Plus the
     * pipeline dispatch and {@code ByteToMessageDecoder}'s cumulation bookkeeping.
     */
    static final class Decoder {
        private final EmbeddedChannel channel;
        private final InboundSink sink = new InboundSink(true);
        private final ByteBuf frame;

        Decoder(byte[] payload, boolean direct, int key) {
            WebSocketDecoderConfig config = WebSocketDecoderConfig.newBuilder()
                    .expectMaskedFrames(true).allowMaskMismatch(false)
                    .maxFramePayloadLength(payload.length + 1).build();
            channel = new EmbeddedChannel(new WebSocket08FrameDecoder(config), sink);
            channel.config().setAllocator(allocator(direct));
            frame = direct ? channel.alloc().directBuffer() : channel.alloc().heapBuffer();
            writeHeader(frame, payload.length, true);
            frame.writeInt(key);
            frame.writeBytes(payload);
            int last = payload.length - 1;
            byte expected = (byte) (payload[last] ^ (key >>> (24 - 8 * (last & 3))));
            if ((byte) decode() != expected) {
                throw new AssertionError("Netty's decoder did not unmask the payload");
            }
        }

        /** Decodes the one masked frame again; the input stays masked because Netty unmasks a copy. */
        int decode() {
            frame.retain().readerIndex(0); // the decoder releases its input once it is consumed
            channel.pipeline().fireChannelRead(frame);
            return sink.last;
        }

        void close() {
            frame.release();
            channel.finishAndReleaseAll();
        }
    }

    /**
     * Client-side send: {@link WebSocket13FrameEncoder} with masking on. Per call it draws a random
     * key ({@code RandomWebSocketFrameMaskGenerator}, a thread-local random), allocates one pooled
     * buffer for header + payload, writes the header and key, and writes the payload masked (read
     * longs from the frame, write them XORed into the new buffer: a copy and a mask in one pass),
     * releases the frame; the sink then releases the output. Plus the pipeline dispatch and
     * {@code MessageToMessageEncoder}'s list handling.
     */
    static final class Encoder {
        private final EmbeddedChannel channel;
        private final OutboundSink sink = new OutboundSink();
        private final BinaryWebSocketFrame frame;

        Encoder(byte[] payload, boolean direct) {
            channel = new EmbeddedChannel(sink, new WebSocket13FrameEncoder(true));
            channel.config().setAllocator(allocator(direct));
            ByteBuf content = direct ? channel.alloc().directBuffer(payload.length)
                    : channel.alloc().heapBuffer(payload.length);
            frame = new BinaryWebSocketFrame(content.writeBytes(payload));
        }

        int encode() {
            frame.retain(); // the encoder releases the frame it encoded
            channel.pipeline().write(frame, channel.voidPromise());
            return sink.last;
        }

        void close() {
            frame.release();
            channel.finishAndReleaseAll();
        }
    }

    /**
     * {@link Utf8FrameValidator}, the handler Netty's server and client protocol handlers add for
     * UTF-8 checks, fed a final {@link TextWebSocketFrame}. Per call: the pipeline dispatch, the
     * frame-type checks, then {@code ByteBuf.forEachByte} with Netty's package-private
     * {@code Utf8Validator} as the {@code ByteProcessor} (Höhrmann's DFA, also computing the
     * code point, one virtual call per byte), and its end-of-message check. The frame is passed to
     * a sink that keeps it (no copy, no release).
     */
    static final class Utf8 {
        private final EmbeddedChannel channel;
        private final InboundSink sink = new InboundSink(false);
        private final TextWebSocketFrame frame;

        Utf8(byte[] text) {
            channel = new EmbeddedChannel(new Utf8FrameValidator(false), sink);
            frame = new TextWebSocketFrame(io.netty.buffer.Unpooled.wrappedBuffer(text));
            // Prove the handler validates at all: an invalid frame must be refused.
            EmbeddedChannel probe = new EmbeddedChannel(new Utf8FrameValidator(false), new InboundSink(true));
            try {
                probe.writeInbound(new TextWebSocketFrame(io.netty.buffer.Unpooled.wrappedBuffer(new byte[] {(byte) 0xC0, (byte) 0x80})));
                probe.checkException();
                throw new AssertionError("Utf8FrameValidator accepted invalid UTF-8");
            } catch (io.netty.handler.codec.CorruptedFrameException expected) {
                // as it should
            } finally {
                probe.finishAndReleaseAll();
            }
        }

        int validate() {
            channel.pipeline().fireChannelRead(frame);
            return sink.last;
        }

        void close() {
            frame.release();
            channel.finishAndReleaseAll();
        }
    }

    private static void writeHeader(ByteBuf out, int length, boolean masked) {
        int maskBit = masked ? 0x80 : 0;
        out.writeByte(0x82); // FIN, binary
        if (length <= 125) {
            out.writeByte(maskBit | length);
        } else if (length <= 0xFFFF) {
            out.writeByte(maskBit | 126).writeShort(length);
        } else {
            out.writeByte(maskBit | 127).writeLong(length);
        }
    }
}
