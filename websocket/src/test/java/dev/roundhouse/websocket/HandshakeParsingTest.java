package dev.roundhouse.websocket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The hand-written HTTP head and header-list parsers, without sockets. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class HandshakeParsingTest {

    private static HttpHeadParser parse(String head, int maxBytes, int maxHeaders) {
        HttpHeadParser p = new HttpHeadParser(true, maxBytes, maxHeaders);
        p.feed(ByteBuffer.wrap(head.getBytes(StandardCharsets.ISO_8859_1)));
        return p;
    }

    /** The RFC 6455 §1.3 sample key gives the sample accept value. */
    @Test
    void shouldComputeTheRfcSampleAccept() {
        assertEquals("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", Handshakes.accept("dGhlIHNhbXBsZSBub25jZQ=="));
        assertTrue(Handshakes.isValidKey(Handshakes.newKey()));
        assertFalse(Handshakes.isValidKey("dGhlIHNhbXBsZSBub25jZQ"));
    }

    /** A head split at every byte parses the same, and bytes after the blank line stay in the buffer. */
    @Test
    void shouldParseIncrementallyAndLeaveTheRest() {
        String head = "GET /a?b HTTP/1.1\r\nHost: x\r\nX-Multi: 1\r\nx-multi: 2\r\n\r\n";
        byte[] all = (head + "REST").getBytes(StandardCharsets.ISO_8859_1);
        for (int cut = 1; cut < head.length(); cut++) {
            HttpHeadParser p = new HttpHeadParser(true, 8192, 64);
            assertEquals(HttpHeadParser.Result.NEED_MORE, p.feed(ByteBuffer.wrap(all, 0, cut)));
            ByteBuffer rest = ByteBuffer.wrap(all, cut, all.length - cut);
            assertEquals(HttpHeadParser.Result.DONE, p.feed(rest));
            assertEquals(4, rest.remaining());
            assertEquals("1, 2", p.head().joined("X-MULTI"));
            assertEquals("/a?b", p.head().part2);
        }
    }

    /** Each malformation gets its status: 431 for size and count, 400 for the rest. */
    @Test
    void shouldRejectMalformedHeads() {
        assertEquals(431, parse("GET / HTTP/1.1\r\nA: " + "x".repeat(300) + "\r\n\r\n", 256, 64).errorStatus());
        assertEquals(431, parse("GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", 8192, 2).errorStatus());
        String[] bad = {"GET / HTTP/1.1\nHost: x\r\n\r\n", "GET / HTTP/1.1\r\nHost: x\rY\r\n\r\n",
            "GET / HTTP/1.1\r\nA: 1\r\n folded\r\n\r\n", "GET / HTTP/1.1\r\nA : 1\r\n\r\n", "GET / HTTP/1.1\r\n: 1\r\n\r\n",
            "GET / HTTP/1.1\r\nNoColon\r\n\r\n", "GET / HTTP/1.1\r\nA: x\u0001y\r\n\r\n", "GET  / HTTP/1.1\r\n\r\n",
            "GET / HTTP/1.1 extra\r\n\r\n", "G(T / HTTP/1.1\r\n\r\n", "GET /\u0000 HTTP/1.1\r\n\r\n"};
        for (String b : bad) {
            HttpHeadParser p = parse(b, 8192, 64);
            assertEquals(400, p.errorStatus(), b);
            assertTrue(p.errorReason() != null && !p.errorReason().isEmpty());
        }
    }

    /** Status lines parse with and without a reason phrase; malformed ones are rejected. */
    @Test
    void shouldParseStatusLines() {
        HttpHeadParser p = new HttpHeadParser(false, 8192, 64);
        assertEquals(HttpHeadParser.Result.DONE, p.feed(ByteBuffer.wrap("HTTP/1.1 101\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1))));
        assertEquals("101", p.head().part2);
        HttpHeadParser q = new HttpHeadParser(false, 8192, 64);
        assertEquals(HttpHeadParser.Result.ERROR, q.feed(ByteBuffer.wrap("HTTP/1.1 1x1 OK\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1))));
    }

    /** Token lists: whitespace and empty elements tolerated, junk rejected. */
    @Test
    void shouldParseTokenLists() {
        assertEquals(List.of("keep-alive", "Upgrade"), Tokens.tokenList(" keep-alive ,, Upgrade\t"));
        assertNull(Tokens.tokenList("a b"));
        assertNull(Tokens.tokenList("a;b"));
        assertTrue(Tokens.containsToken("Keep-Alive, UPGRADE", "upgrade"));
        assertFalse(Tokens.containsToken("upgrade-insecure", "upgrade"));
    }

    /** Extension lists with parameters, quoted values and several offers. */
    @Test
    void shouldParseExtensionLists() {
        List<Tokens.Extension> e = Tokens.extensions(
                "permessage-deflate; client_max_window_bits; server_max_window_bits=\"10\", permessage-deflate ,x-foo");
        assertEquals(3, e.size());
        assertEquals("", e.get(0).param("client_max_window_bits"));
        assertEquals("10", e.get(0).param("server_max_window_bits"));
        assertEquals("x-foo", e.get(2).name());
        assertNull(Tokens.extensions("permessage-deflate; =1"));
        assertNull(Tokens.extensions("permessage-deflate; a=\"b c\""));
        assertNull(Tokens.extensions("permessage-deflate; a=\"unterminated"));
    }

    /**
     * ws CVE-2021-32640: header lists crafted to make a regex backtrack (long runs of spaces and
     * commas) parse in linear time here: a megabyte takes milliseconds.
     */
    @Test
    void shouldParsePathologicalListsInLinearTime() {
        String spaces = "a" + " ".repeat(1 << 20) + "b";
        String commas = ",".repeat(1 << 20) + "x";
        String params = "permessage-deflate" + "; a".repeat(200_000) + " ";
        long t0 = System.nanoTime();
        assertNull(Tokens.tokenList(spaces));
        assertEquals(List.of("x"), Tokens.tokenList(commas));
        assertEquals(1, Tokens.extensions(params).size());
        assertNull(Tokens.extensions("x;" + " ".repeat(1 << 20) + "=\""));
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertTrue(ms < 2000, "took " + ms + " ms");
    }

    /** The default origin policy: absent and same host:port accepted, others refused. */
    @Test
    void shouldApplySameOriginRules() {
        OriginPolicy p = OriginPolicy.sameOriginOrAbsent();
        assertTrue(p.allows(null, "a:1"));
        assertTrue(p.allows("http://a:1", "a:1"));
        assertTrue(p.allows("http://A", "a"));
        assertTrue(p.allows("http://a", "a:80"));
        assertTrue(p.allows("http://[::1]:8080", "[::1]:8080"));
        assertFalse(p.allows("http://a:2", "a:1"));
        assertFalse(p.allows("https://a", "a"));
        assertFalse(p.allows("null", "a"));
        assertFalse(p.allows("http://a.evil:1", "a:1"));
        assertFalse(p.allows("file://", "a"));
        assertTrue(OriginPolicy.allowList("https://x.example").allows("https://x.example", "y"));
    }
}
