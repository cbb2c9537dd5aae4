package dev.roundhouse.websocket;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;

/** Echoes every message as it came (the handler Autobahn's fuzzing client expects) and records how it closed. */
class EchoHandler implements WebSocketHandler {
    final CompletableFuture<CloseStatus> closed = new CompletableFuture<>();
    volatile Throwable cause;

    @Override
    public void onText(WebSocket ws, String text) {
        ws.sendText(text);
    }

    @Override
    public void onBinary(WebSocket ws, ByteBuffer data) {
        ws.sendBinary(data);
    }

    @Override
    public void onClosed(WebSocket ws, CloseStatus status, Throwable cause) {
        this.cause = cause;
        closed.complete(status);
    }
}
