package dev.roundhouse.websocket;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * A strict, bounded, incremental parser of one HTTP/1.1 head (RFC 9112), written by hand and
 * linear in the input. Rejects, with a status and a reason: a head over the byte limit or with too
 * many fields (431), a bare LF or CR, obs-fold continuation lines, a field name that is not a token
 * or has whitespace before the colon, control characters in values, and a malformed start line
 * (400). Stops at the blank line: bytes after the head stay in the input buffer.
 *
 * <p><b>Thread:</b> not thread-safe.
 */
final class HttpHeadParser {
    enum Result { NEED_MORE, DONE, ERROR }

    private final boolean request;
    private final int maxBytes;
    private final int maxHeaders;
    private final byte[] line;
    private int lineLen;
    private int totalBytes;
    private HttpHead head;
    private int errorStatus;
    private String errorReason;

    HttpHeadParser(boolean request, int maxBytes, int maxHeaders) {
        this.request = request;
        this.maxBytes = maxBytes;
        this.maxHeaders = maxHeaders;
        this.line = new byte[maxBytes];
    }

    HttpHead head() {
        return head;
    }

    int errorStatus() {
        return errorStatus;
    }

    String errorReason() {
        return errorReason;
    }

    /** Consumes bytes up to the end of the head (or all of them, or up to the error). */
    Result feed(ByteBuffer in) {
        if (errorReason != null) {
            return Result.ERROR;
        }
        while (in.hasRemaining()) {
            byte b = in.get();
            if (++totalBytes > maxBytes) {
                return error(431, "head exceeds maxHandshakeBytes=" + maxBytes);
            }
            if (b != '\n') {
                line[lineLen++] = b;
                continue;
            }
            if (lineLen == 0 || line[lineLen - 1] != '\r') {
                return error(400, "bare LF in head (lines must end with CRLF)");
            }
            int len = lineLen - 1;
            lineLen = 0;
            Result r = onLine(len);
            if (r != Result.NEED_MORE) {
                return r;
            }
        }
        return Result.NEED_MORE;
    }

    private Result onLine(int len) {
        for (int i = 0; i < len; i++) {
            if (line[i] == '\r') {
                return error(400, "bare CR in head");
            }
        }
        if (head == null) {
            return startLine(len);
        }
        if (len == 0) {
            return Result.DONE;
        }
        if (line[0] == ' ' || line[0] == '\t') {
            return error(400, "obsolete line folding (obs-fold) in header");
        }
        if (head.size() >= maxHeaders) {
            return error(431, "more than maxHeaderCount=" + maxHeaders + " header fields");
        }
        int colon = 0;
        while (colon < len && line[colon] != ':') {
            if (!Tokens.isTchar(line[colon])) {
                return error(400, "invalid character in header name");
            }
            colon++;
        }
        if (colon == 0 || colon == len) {
            return error(400, colon == 0 ? "empty header name" : "header line without a colon");
        }
        int vs = colon + 1;
        int ve = len;
        while (vs < ve && (line[vs] == ' ' || line[vs] == '\t')) {
            vs++;
        }
        while (ve > vs && (line[ve - 1] == ' ' || line[ve - 1] == '\t')) {
            ve--;
        }
        for (int i = vs; i < ve; i++) {
            int c = line[i] & 0xFF;
            if (c < 0x20 && c != '\t' || c == 0x7F) {
                return error(400, "control character in header value");
            }
        }
        head.add(latin1(0, colon), latin1(vs, ve - vs));
        return Result.NEED_MORE;
    }

    private Result startLine(int len) {
        int sp1 = indexOf(' ', 0, len);
        int sp2 = sp1 < 0 ? -1 : indexOf(' ', sp1 + 1, len);
        if (request) {
            if (sp1 <= 0 || sp2 < 0 || indexOf(' ', sp2 + 1, len) >= 0 || sp2 == sp1 + 1) {
                return error(400, "malformed request line");
            }
            for (int i = 0; i < sp1; i++) {
                if (!Tokens.isTchar(line[i])) {
                    return error(400, "invalid method");
                }
            }
            for (int i = sp1 + 1; i < sp2; i++) {
                if ((line[i] & 0xFF) <= 0x20 || line[i] == 0x7F) {
                    return error(400, "invalid request target");
                }
            }
            head = new HttpHead(latin1(0, sp1), latin1(sp1 + 1, sp2 - sp1 - 1), latin1(sp2 + 1, len - sp2 - 1));
            return Result.NEED_MORE;
        }
        // Response: HTTP-version SP 3DIGIT SP reason-phrase; a missing reason is tolerated.
        int codeEnd = sp2 < 0 ? len : sp2;
        if (sp1 <= 0 || codeEnd - sp1 - 1 != 3) {
            return error(400, "malformed status line");
        }
        for (int i = sp1 + 1; i < codeEnd; i++) {
            if (line[i] < '0' || line[i] > '9') {
                return error(400, "malformed status code");
            }
        }
        String reason = sp2 < 0 ? "" : latin1(sp2 + 1, len - sp2 - 1);
        head = new HttpHead(latin1(0, sp1), latin1(sp1 + 1, 3), reason);
        return Result.NEED_MORE;
    }

    private int indexOf(char c, int from, int to) {
        for (int i = from; i < to; i++) {
            if (line[i] == c) {
                return i;
            }
        }
        return -1;
    }

    private String latin1(int off, int len) {
        return new String(line, off, len, StandardCharsets.ISO_8859_1);
    }

    private Result error(int status, String reason) {
        errorStatus = status;
        errorReason = reason;
        return Result.ERROR;
    }
}
