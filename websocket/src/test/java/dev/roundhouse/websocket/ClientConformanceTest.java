package dev.roundhouse.websocket;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The Autobahn sections against our client (a hand-driven server plays the peer), over every backend. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ClientConformanceTest {
    static final WebSocketOptions OPTS = WebSocketOptions.DEFAULTS;

    @Nested
    class Section1Framing {
        /** Every length boundary is received and echoed masked, each frame with its own key. */
        @ParameterizedTest
        @MethodSource("dev.roundhouse.websocket.TestBackends#names")
        void shouldEchoEveryLengthBoundaryMasked(String backend) throws Exception {
            try (RawServer s = new RawServer(backend).open(OPTS)) {
                assertTrue(s.request.startsWith("GET /chat?room=1 HTTP/1.1\r\n"), s.request);
                assertTrue(s.request.contains("Host: 127.0.0.1:" + s.listener.getLocalPort() + "\r\n"), s.request);
                Random rnd = new Random(2);
                for (int len : Section1FramingTest.LENGTHS) {
                    byte[] b = new byte[len];
                    rnd.nextBytes(b);
                    s.sendFrame(true, Opcodes.BINARY, b);
                    assertArrayEquals(b, s.read().payload(), "length " + len);
                }
                s.sendFrame(true, Opcodes.CLOSE, Wire.closePayload(1000, ""));
                assertEquals(1000, s.read().closeCode());
                s.peer.close();
                assertEquals(new CloseStatus(1000, "", true), s.handler.closed.get(10, TimeUnit.SECONDS));
            }
        }

        /** Masking keys come from a secure source: 200 frames carry (almost surely) 200 distinct keys. */
        @ParameterizedTest
        @MethodSource("dev.roundhouse.websocket.TestBackends#names")
        void shouldUseAFreshMaskPerFrame(String backend) throws Exception {
            try (RawServer s = new RawServer(backend).open(OPTS)) {
                Set<String> keys = new HashSet<>();
                for (int i = 0; i < 200; i++) {
                    s.sendFrame(true, Opcodes.TEXT, Wire.utf8("k"));
                    byte[] raw = s.in.readNBytes(7); // 2 header + 4 key + 1 payload
                    keys.add(java.util.HexFormat.of().formatHex(raw, 2, 6));
                }
                assertTrue(keys.size() >= 199, "distinct keys: " + keys.size());
            }
        }

        /** A masked frame from the server fails the connection with 1002 (§5.1). */
        @ParameterizedTest
        @MethodSource("dev.roundhouse.websocket.TestBackends#names")
        void shouldRejectMaskedServerFrame(String backend) throws Exception {
            try (RawServer s = new RawServer(backend).open(OPTS)) {
                s.send(Wire.frame(true, 0, Opcodes.TEXT, Wire.utf8("x"), Wire.randomMask()));
                s.expectClose(CloseCodes.PROTOCOL_ERROR);
            }
        }
    }

    @Nested
    class Section2PingPong {
        /** An unsolicited pong from the server is ignored. */
        @ParameterizedTest
        @MethodSource("dev.roundhouse.websocket.TestBackends#names")
        void shouldIgnoreUnsolicitedPong(String backend) throws Exception {
            try (RawServer s = new RawServer(backend).open(OPTS)) {
                s.sendFrame(true, Opcodes.PONG, Wire.utf8("unasked"));
                s.sendFrame(true, Opcodes.TEXT, Wire.utf8("after pong"));
                assertEquals("after pong", s.read().text());
            }
        }

        /** The client answers a ping with the same payload and fails on a ping over 125 bytes. */
        @ParameterizedTest
        @MethodSource("dev.roundhouse.websocket.TestBackends#names")
        void shouldAnswerPingsAndRejectLongOnes(String backend) throws Exception {
            try (RawServer s = new RawServer(backend).open(OPTS)) {
                s.sendFrame(true, Opcodes.PING, Wire.utf8("hello"));
                Wire.Frame f = s.read();
                assertEquals(Opcodes.PONG, f.opcode());
                assertEquals("hello", f.text());
                s.sendFrame(true, Opcodes.PING, new byte[126]);
                s.expectClose(CloseCodes.PROTOCOL_ERROR);
            }
        }
    }

    @Nested
    class Section3ReservedBits {
        /** Every combination of RSV bits on text, binary and ping fails with 1002. */
        @ParameterizedTest
        @MethodSource("dev.roundhouse.websocket.TestBackends#names")
        void shouldRejectEveryReservedBitCombination(String backend) throws Exception {
            try (RawServer s = new RawServer(backend)) {
                for (int rsv = 1; rsv <= 7; rsv++) {
                    for (int op : new int[] {Opcodes.TEXT, Opcodes.BINARY, Opcodes.PING}) {
                        s.reopen(OPTS);
                        s.send(Wire.frame(true, rsv, op, Wire.utf8("x"), null));
                        s.expectClose(CloseCodes.PROTOCOL_ERROR);
                    }
                }
            }
        }

        /** A reserved bit without an extension fails with 1002. */
        @ParameterizedTest
        @MethodSource("dev.roundhouse.websocket.TestBackends#names")
        void shouldRejectReservedBits(String backend) throws Exception {
            try (RawServer s = new RawServer(backend).open(OPTS)) {
                s.send(Wire.frame(true, 1, Opcodes.TEXT, Wire.utf8("x"), null));
                s.expectClose(CloseCodes.PROTOCOL_ERROR);
            }
        }
    }

    @Nested
    class Section4Opcodes {
        /** Every reserved opcode (3–7, 11–15) fails with 1002. */
        @ParameterizedTest
        @MethodSource("dev.roundhouse.websocket.TestBackends#names")
        void shouldRejectEveryReservedOpcode(String backend) throws Exception {
            try (RawServer s = new RawServer(backend)) {
                for (int op : new int[] {3, 4, 5, 6, 7, 11, 12, 13, 14, 15}) {
                    s.reopen(OPTS);
                    s.sendFrame(true, op, Wire.utf8("payload"));
                    s.expectClose(CloseCodes.PROTOCOL_ERROR);
                }
            }
        }

        /** A reserved opcode fails with 1002. */
        @ParameterizedTest
        @MethodSource("dev.roundhouse.websocket.TestBackends#names")
        void shouldRejectReservedOpcode(String backend) throws Exception {
            try (RawServer s = new RawServer(backend).open(OPTS)) {
                s.sendFrame(true, 11, new byte[0]);
                s.expectClose(CloseCodes.PROTOCOL_ERROR);
            }
        }
    }

    @Nested
    class Section5Fragmentation {
        /** A fragmented ping and a new message inside a fragmented one each fail with 1002. */
        @ParameterizedTest
        @MethodSource("dev.roundhouse.websocket.TestBackends#names")
        void shouldRejectFragmentedControlAndNestedMessages(String backend) throws Exception {
            try (RawServer s = new RawServer(backend).open(OPTS)) {
                s.sendFrame(false, Opcodes.PING, Wire.utf8("p"));
                s.expectClose(CloseCodes.PROTOCOL_ERROR);
                s.reopen(OPTS);
                s.sendFrame(false, Opcodes.BINARY, Wire.utf8("a"));
                s.sendFrame(true, Opcodes.BINARY, Wire.utf8("b"));
                s.expectClose(CloseCodes.PROTOCOL_ERROR);
            }
        }

        /** Fragments with an interleaved ping are assembled; an orphan continuation then fails with 1002. */
        @ParameterizedTest
        @MethodSource("dev.roundhouse.websocket.TestBackends#names")
        void shouldAssembleFragmentsAndRejectOrphans(String backend) throws Exception {
            try (RawServer s = new RawServer(backend).open(OPTS)) {
                s.sendFrame(false, Opcodes.TEXT, Wire.utf8("ab"));
                s.sendFrame(true, Opcodes.PING, Wire.utf8("p"));
                assertEquals(Opcodes.PONG, s.read().opcode());
                s.sendFrame(true, Opcodes.CONTINUATION, Wire.utf8("cd"));
                assertEquals("abcd", s.read().text());
                s.sendFrame(true, Opcodes.CONTINUATION, Wire.utf8("orphan"));
                s.expectClose(CloseCodes.PROTOCOL_ERROR);
            }
        }
    }

    @Nested
    class Section6Utf8 {
        /** Valid text of every length class round-trips; every invalid sample fails with 1007. */
        @ParameterizedTest
        @MethodSource("dev.roundhouse.websocket.TestBackends#names")
        void shouldAcceptValidAndRejectInvalidText(String backend) throws Exception {
            try (RawServer s = new RawServer(backend).open(OPTS)) {
                for (String t : Section6Utf8Test.VALID) {
                    s.sendFrame(true, Opcodes.TEXT, Wire.utf8(t));
                    assertEquals(t, s.read().text());
                }
                for (int[] bad : Section6Utf8Test.INVALID) {
                    s.reopen(OPTS);
                    s.sendFrame(true, Opcodes.TEXT, Wire.bytes(bad));
                    s.expectClose(CloseCodes.INVALID_PAYLOAD);
                }
            }
        }

        /** Invalid UTF-8 split across fragments fails with 1007 before the message ends. */
        @ParameterizedTest
        @MethodSource("dev.roundhouse.websocket.TestBackends#names")
        void shouldFailFastOnInvalidUtf8(String backend) throws Exception {
            try (RawServer s = new RawServer(backend).open(OPTS)) {
                s.sendFrame(false, Opcodes.TEXT, Wire.bytes('a', 0xED));
                s.sendFrame(false, Opcodes.CONTINUATION, Wire.bytes(0xA0, 0x80));
                s.expectClose(CloseCodes.INVALID_PAYLOAD);
            }
        }
    }

    @Nested
    class Section7Close {
        /** A server close is echoed; the client then waits for the server's TCP close and reports the server's code. */
        @ParameterizedTest
        @MethodSource("dev.roundhouse.websocket.TestBackends#names")
        void shouldEchoServerClose(String backend) throws Exception {
            try (RawServer s = new RawServer(backend).open(OPTS)) {
                s.sendFrame(true, Opcodes.CLOSE, Wire.closePayload(4000, "done"));
                assertEquals(4000, s.read().closeCode());
                s.peer.close();
                assertEquals(new CloseStatus(4000, "done", true), s.handler.closed.get(10, TimeUnit.SECONDS));
            }
        }

        /** ws.close() sends a close; the server's answer and TCP close complete the close future. */
        @ParameterizedTest
        @MethodSource("dev.roundhouse.websocket.TestBackends#names")
        void shouldCompleteClientInitiatedClose(String backend) throws Exception {
            try (RawServer s = new RawServer(backend).open(OPTS)) {
                WebSocket ws = s.opened.get();
                CompletableFuture<CloseStatus> done = ws.loop().submit(() -> ws.close(1000, "bye")).get().toCompletableFuture();
                Wire.Frame f = s.read();
                assertEquals(1000, f.closeCode());
                s.sendFrame(true, Opcodes.CLOSE, Wire.closePayload(1000, ""));
                s.peer.close();
                assertEquals(1000, done.get(10, TimeUnit.SECONDS).code());
            }
        }

        /** A server that never answers our close is aborted after closeTimeout. */
        @ParameterizedTest
        @MethodSource("dev.roundhouse.websocket.TestBackends#names")
        void shouldAbortAfterCloseTimeout(String backend) throws Exception {
            WebSocketOptions o = WebSocketOptions.builder().closeTimeout(300, TimeUnit.MILLISECONDS).build();
            try (RawServer s = new RawServer(backend).open(o)) {
                WebSocket ws = s.opened.get();
                ws.loop().execute(() -> ws.close(1000, ""));
                assertEquals(1000, s.read().closeCode());
                s.expectEof();
                assertEquals(CloseCodes.NORMAL, s.handler.closed.get(10, TimeUnit.SECONDS).code());
                assertInstanceOf(WebSocketException.class, s.handler.cause);
            }
        }

        /** An invalid close code from the server fails with 1002. */
        @ParameterizedTest
        @MethodSource("dev.roundhouse.websocket.TestBackends#names")
        void shouldRejectInvalidCloseCode(String backend) throws Exception {
            try (RawServer s = new RawServer(backend).open(OPTS)) {
                s.sendFrame(true, Opcodes.CLOSE, Wire.closePayload(1005, ""));
                s.expectClose(CloseCodes.PROTOCOL_ERROR);
            }
        }
    }

    @Nested
    class Section9Limits {
        /** Fragments over maxMessageBytes, an overflowing 64-bit continuation, and a length with its top bit set all fail. */
        @ParameterizedTest
        @MethodSource("dev.roundhouse.websocket.TestBackends#names")
        void shouldEnforceMessageLimitsWithoutOverflow(String backend) throws Exception {
            WebSocketOptions o = WebSocketOptions.builder().maxFrameBytes(Integer.MAX_VALUE).maxMessageBytes(1000).build();
            try (RawServer s = new RawServer(backend).open(o)) {
                s.sendFrame(false, Opcodes.BINARY, new byte[600]);
                s.sendFrame(true, Opcodes.CONTINUATION, new byte[401]);
                s.expectClose(CloseCodes.TOO_BIG);
                s.reopen(o);
                s.sendFrame(false, Opcodes.BINARY, new byte[10]);
                s.send(Wire.bytes(0x80, 127, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF));
                s.expectClose(CloseCodes.TOO_BIG);
                s.reopen(o);
                s.send(Wire.bytes(0x82, 127, 0x80, 0, 0, 0, 0, 0, 0, 1));
                s.expectClose(CloseCodes.PROTOCOL_ERROR);
            }
        }

        /** A frame over maxFrameBytes fails with 1009 from its header. */
        @ParameterizedTest
        @MethodSource("dev.roundhouse.websocket.TestBackends#names")
        void shouldRejectOversizedFrame(String backend) throws Exception {
            try (RawServer s = new RawServer(backend).open(WebSocketOptions.builder().maxFrameBytes(100).build())) {
                s.send(java.util.Arrays.copyOf(Wire.frame(true, 0, Opcodes.BINARY, new byte[101], null), 2));
                s.expectClose(CloseCodes.TOO_BIG);
            }
        }
    }

    @Nested
    class Section10Handshake {
        private void refused(String backend, java.util.function.UnaryOperator<String> respond, String expected,
                             String... protocols) throws Exception {
            try (RawServer s = new RawServer(backend)) {
                s.connect(OPTS, respond, protocols);
                if (respond.apply(s.request) == null) {
                    s.peer.close();
                }
                ExecutionException e = assertThrows(ExecutionException.class, () -> s.opened.get(10, TimeUnit.SECONDS));
                assertTrue(e.getCause().getMessage().contains(expected), e.getCause().toString());
                assertTrue(s.handler.closed.isDone() == false, "no callbacks without a handshake");
            }
        }

        /** Each invalid answer fails connect with a HandshakeException naming the problem. */
        @ParameterizedTest
        @MethodSource("dev.roundhouse.websocket.TestBackends#names")
        void shouldRejectInvalidAnswers(String backend) throws Exception {
            refused(backend, r -> "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n", "403");
            refused(backend, r -> RawServer.accept(r, "").replace(Handshakes.accept(RawServer.keyOf(r)), "AAAA"), "Accept");
            refused(backend, r -> RawServer.accept(r, "").replace("Upgrade: websocket\r\n", ""), "Upgrade");
            refused(backend, r -> RawServer.accept(r, "Sec-WebSocket-Protocol: evil\r\n"), "subprotocol", "chat");
            refused(backend, r -> RawServer.accept(r, "Sec-WebSocket-Extensions: permessage-deflate\r\n"), "did not offer");
            refused(backend, r -> "HTTP/1.1 101 OK\nUpgrade: websocket\n\n", "bare LF");
            refused(backend, r -> null, "closed during the handshake");
        }

        /** The chosen subprotocol is reported when the server picks one we offered. */
        @ParameterizedTest
        @MethodSource("dev.roundhouse.websocket.TestBackends#names")
        void shouldReportSubprotocol(String backend) throws Exception {
            try (RawServer s = new RawServer(backend)) {
                s.connect(OPTS, r -> RawServer.accept(r, "Sec-WebSocket-Protocol: b\r\n"), "a", "b");
                assertTrue(s.request.contains("Sec-WebSocket-Protocol: a, b\r\n"));
                assertEquals("b", s.opened.get(10, TimeUnit.SECONDS).subprotocol());
            }
        }

        /** A server that never answers fails connect after handshakeTimeout. */
        @ParameterizedTest
        @MethodSource("dev.roundhouse.websocket.TestBackends#names")
        void shouldTimeOutSilentServer(String backend) throws Exception {
            try (RawServer s = new RawServer(backend)) {
                s.connect(WebSocketOptions.builder().handshakeTimeout(300, TimeUnit.MILLISECONDS).build(), r -> null);
                ExecutionException e = assertThrows(ExecutionException.class, () -> s.opened.get(10, TimeUnit.SECONDS));
                assertInstanceOf(HandshakeException.class, e.getCause());
                assertTrue(e.getCause().getMessage().contains("handshakeTimeout"));
            }
        }

        /** Java-WebSocket CVE-2020-11050: wss is refused outright rather than connecting without hostname verification. */
        @ParameterizedTest
        @MethodSource("dev.roundhouse.websocket.TestBackends#names")
        void shouldRefuseWss(String backend) throws Exception {
            try (RawServer s = new RawServer(backend)) {
                WebSocketClient c = WebSocketClient.builder(s.loop).build();
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> c.connect(URI.create("wss://example.com/"), new EchoHandler()));
                assertTrue(e.getMessage().contains("hostname verification"));
                assertThrows(IllegalArgumentException.class, () -> c.connect(URI.create("http://x/"), new EchoHandler()));
            }
        }
    }

    @Nested
    class Section12Compression {
        static final WebSocketOptions DEFLATE = WebSocketOptions.builder().perMessageDeflate(true).build();

        /** With deflate negotiated, compressed server messages are inflated and our echoes are compressed. */
        @ParameterizedTest
        @MethodSource("dev.roundhouse.websocket.TestBackends#names")
        void shouldExchangeCompressedMessages(String backend) throws Exception {
            try (RawServer s = new RawServer(backend)) {
                s.connect(DEFLATE, r -> RawServer.accept(r, "Sec-WebSocket-Extensions: permessage-deflate; server_max_window_bits=9\r\n"));
                assertTrue(s.request.contains("Sec-WebSocket-Extensions: permessage-deflate\r\n"), s.request);
                WebSocket ws = s.opened.get(10, TimeUnit.SECONDS);
                assertEquals("permessage-deflate; server_max_window_bits=9", ws.extensions());
                Deflate mine = new Deflate();
                for (int i = 0; i < 5; i++) {
                    byte[] text = Wire.utf8(("message " + i + " ").repeat(50));
                    s.send(Wire.frame(true, 4, Opcodes.TEXT, mine.compress(text), null));
                    Wire.Frame f = s.read();
                    assertEquals(4, f.rsv());
                    assertArrayEquals(text, mine.decompress(f.payload()));
                }
            }
        }

        /** undici CVE-2026-2229: server_max_window_bits outside 8..15 fails the handshake instead of crashing. */
        @ParameterizedTest
        @MethodSource("dev.roundhouse.websocket.TestBackends#names")
        void shouldRejectInvalidWindowBits(String backend) throws Exception {
            for (String bits : new String[] {"7", "16", "abc", "1000000000000"}) {
                try (RawServer s = new RawServer(backend)) {
                    s.connect(DEFLATE, r -> RawServer.accept(r, "Sec-WebSocket-Extensions: permessage-deflate; server_max_window_bits=" + bits + "\r\n"));
                    ExecutionException e = assertThrows(ExecutionException.class, () -> s.opened.get(10, TimeUnit.SECONDS));
                    assertInstanceOf(HandshakeException.class, e.getCause());
                    assertNotEquals(null, e.getCause().getMessage());
                }
            }
        }
    }

    /** Unused helper kept for symmetry with the server suite. */
    static ByteBuffer utf8(String s) {
        return ByteBuffer.wrap(Wire.utf8(s));
    }
}
