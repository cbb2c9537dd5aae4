package dev.roundhouse.websocket;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * permessage-deflate (RFC 7692): negotiation for both roles and the per-connection codec.
 *
 * <p><b>Window bits.</b> {@link Deflater} always compresses with a 32 KiB window (15 bits) and has
 * no way to use a smaller one, so a server declines an offer whose {@code server_max_window_bits}
 * is below 15 (and logs why), and a client never offers {@code client_max_window_bits} (a server
 * could then demand a smaller window we cannot honour). {@link Inflater} accepts any window up to
 * 15 bits, so the peer's window is never a problem. Values outside 8–15, missing or repeated
 * parameters, and unknown ones are invalid: a server declines such an offer; a client fails the
 * handshake (undici CVE-2026-2229 crashed on an unvalidated {@code server_max_window_bits}).
 *
 * <p><b>Inflation limit.</b> {@link #inflate} stops as soon as the output passes the limit, so a
 * decompression bomb never allocates more than the limit (Netty CVE-2020-11612).
 *
 * <p><b>Thread:</b> not thread-safe; the connection's loop thread.
 */
final class PerMessageDeflate {
    static final String NAME = "permessage-deflate";
    private static final byte[] TAIL = {0, 0, (byte) 0xFF, (byte) 0xFF};
    private static final System.Logger LOG = System.getLogger(PerMessageDeflate.class.getName());

    private final boolean resetDeflater;
    private final boolean resetInflater;
    private final String header;
    private final Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
    private final Inflater inflater = new Inflater(true);
    private final ByteAccumulator compressed = new ByteAccumulator(1024);

    private PerMessageDeflate(boolean resetDeflater, boolean resetInflater, String header) {
        this.resetDeflater = resetDeflater;
        this.resetInflater = resetInflater;
        this.header = header;
    }

    /** The negotiated {@code Sec-WebSocket-Extensions} value. */
    String header() {
        return header;
    }

    /** What a client offers. */
    static String clientOffer(WebSocketOptions o) {
        return NAME + (o.serverNoContextTakeover() ? "; server_no_context_takeover" : "")
                + (o.clientNoContextTakeover() ? "; client_no_context_takeover" : "");
    }

    /**
     * A server's choice among the offers in {@code offers} (a parsed Sec-WebSocket-Extensions), or
     * {@code null} to decline them all; {@code declined} collects why offers were declined.
     */
    static PerMessageDeflate serverAccept(List<Tokens.Extension> offers, WebSocketOptions o, List<String> declined) {
        for (Tokens.Extension offer : offers) {
            if (!offer.name().equalsIgnoreCase(NAME)) {
                continue;
            }
            String problem = checkParams(offer, true);
            if (problem == null) {
                String smwb = offer.param("server_max_window_bits");
                if (smwb != null && !smwb.equals("15")) {
                    problem = "server_max_window_bits=" + smwb + " asks for a window java.util.zip.Deflater cannot use"
                            + " (it always uses 15 bits)";
                }
            }
            if (problem != null) {
                declined.add(problem);
                continue;
            }
            boolean snct = o.serverNoContextTakeover() || offer.param("server_no_context_takeover") != null;
            boolean cnct = o.clientNoContextTakeover() || offer.param("client_no_context_takeover") != null;
            StringBuilder h = new StringBuilder(NAME);
            if (snct) {
                h.append("; server_no_context_takeover");
            }
            if (cnct) {
                h.append("; client_no_context_takeover");
            }
            if (offer.param("server_max_window_bits") != null) {
                h.append("; server_max_window_bits=15");
            }
            return new PerMessageDeflate(snct, cnct, h.toString());
        }
        return null;
    }

    /**
     * A client's reading of the server's answer.
     *
     * @throws HandshakeException if the answer is not one our offer allows
     */
    static PerMessageDeflate clientAccept(String response, WebSocketOptions o) {
        List<Tokens.Extension> exts = Tokens.extensions(response);
        if (exts == null) {
            throw new HandshakeException(101, "malformed Sec-WebSocket-Extensions: " + response);
        }
        if (exts.isEmpty()) {
            return null;
        }
        if (!o.perMessageDeflate() || exts.size() != 1 || !exts.get(0).name().equalsIgnoreCase(NAME)) {
            throw new HandshakeException(101, "server accepted extensions we did not offer: " + response);
        }
        Tokens.Extension e = exts.get(0);
        String problem = checkParams(e, false);
        if (problem != null) {
            throw new HandshakeException(101, "invalid permessage-deflate response: " + problem);
        }
        boolean snct = e.param("server_no_context_takeover") != null;
        boolean cnct = e.param("client_no_context_takeover") != null;
        return new PerMessageDeflate(cnct, snct, response.trim());
    }

    /** Why the parameters are invalid, or {@code null}. */
    private static String checkParams(Tokens.Extension e, boolean offer) {
        Set<String> seen = new HashSet<>();
        for (String[] p : e.params()) {
            String key = p[0].toLowerCase(java.util.Locale.ROOT);
            if (!seen.add(key)) {
                return "repeated parameter " + key;
            }
            switch (key) {
                case "server_no_context_takeover", "client_no_context_takeover" -> {
                    if (p[1] != null) {
                        return key + " takes no value";
                    }
                }
                case "server_max_window_bits" -> {
                    if (!isWindowBits(p[1])) {
                        return "server_max_window_bits must be 8..15, got " + p[1];
                    }
                }
                case "client_max_window_bits" -> {
                    if (!offer) {
                        return "client_max_window_bits in the response, but we did not offer it";
                    }
                    if (p[1] != null && !isWindowBits(p[1])) {
                        return "client_max_window_bits must be 8..15, got " + p[1];
                    }
                }
                default -> {
                    return "unknown parameter " + key;
                }
            }
        }
        return null;
    }

    private static boolean isWindowBits(String v) {
        if (v == null || v.isEmpty() || v.length() > 2) {
            return false;
        }
        for (int i = 0; i < v.length(); i++) {
            if (v.charAt(i) < '0' || v.charAt(i) > '9') {
                return false;
            }
        }
        int bits = Integer.parseInt(v);
        return bits >= 8 && bits <= 15 && v.charAt(0) != '0';
    }

    /**
     * Compresses one whole message; the result is {@link #compressed()} until the next call.
     */
    ByteAccumulator compress(byte[] src, int off, int len) {
        compressed.clear();
        deflater.setInput(src, off, len);
        while (true) {
            compressed.ensureSpare(Math.max(64, len / 4 + 16));
            byte[] out = compressed.array();
            int room = out.length - compressed.size();
            int n = deflater.deflate(out, compressed.size(), room, Deflater.SYNC_FLUSH);
            compressed.setSize(compressed.size() + n);
            if (n < room) {
                break;
            }
        }
        // RFC 7692 §7.2.1: remove the 00 00 FF FF that ends a sync flush.
        int size = compressed.size();
        if (size >= 4 && compressed.array()[size - 1] == (byte) 0xFF && compressed.array()[size - 2] == (byte) 0xFF
                && compressed.array()[size - 3] == 0 && compressed.array()[size - 4] == 0) {
            compressed.setSize(size - 4);
        }
        if (compressed.size() == 0) {
            // zlib emits nothing when a sync flush follows a sync flush with no new input; an empty
            // payload followed by the receiver's appended tail would not parse, so send the empty
            // stored block's first byte (§7.2.3.6).
            compressed.append(TAIL, 0, 1);
        }
        if (resetDeflater) {
            deflater.reset();
        }
        return compressed;
    }

    /**
     * Inflates compressed payload bytes into {@code out}.
     *
     * @return {@code false} if the output would pass {@code limitBytes} (inflation stops there)
     * @throws DataFormatException if the data is not valid deflate
     */
    boolean inflate(byte[] in, int off, int len, ByteAccumulator out, int limitBytes) throws DataFormatException {
        inflater.setInput(in, off, len);
        while (true) {
            if (out.size() > limitBytes) {
                return false;
            }
            int want = (int) Math.min(Math.max(4096, Math.min(len * 4L, 1 << 20)), (long) limitBytes + 1 - out.size());
            out.ensureSpare(Math.max(1, want));
            byte[] a = out.array();
            int room = Math.min(a.length - out.size(), limitBytes + 1 - out.size());
            int n = inflater.inflate(a, out.size(), room);
            out.setSize(out.size() + n);
            if (out.size() > limitBytes) {
                return false;
            }
            if (n == 0 && (inflater.needsInput() || inflater.finished() || inflater.needsDictionary())) {
                if (inflater.needsDictionary()) {
                    throw new DataFormatException("preset dictionary requested");
                }
                return true;
            }
        }
    }

    /** Ends a compressed message: feeds the removed tail (§7.2.2). */
    boolean finishMessage(ByteAccumulator out, int limitBytes) throws DataFormatException {
        boolean ok = inflate(TAIL, 0, TAIL.length, out, limitBytes);
        if (resetInflater) {
            inflater.reset();
        }
        return ok;
    }

    /** Frees the zlib memory. Idempotent. */
    void close() {
        deflater.end();
        inflater.end();
    }

    static void logDeclined(List<String> declined) {
        if (!declined.isEmpty()) {
            LOG.log(System.Logger.Level.INFO, "declined permessage-deflate offers: " + declined);
        }
    }

    static List<String> newDeclineList() {
        return new ArrayList<>();
    }
}
