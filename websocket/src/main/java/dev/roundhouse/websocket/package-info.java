/**
 * WebSocket (RFC 6455) with permessage-deflate (RFC 7692), server and client, on any Roundhouse
 * loop backend.
 *
 * <ul>
 *   <li>{@link dev.roundhouse.websocket.WebSocketServer}: routes, subprotocols,
 *       {@link dev.roundhouse.websocket.OriginPolicy} (default: same origin or none), static pages.</li>
 *   <li>{@link dev.roundhouse.websocket.WebSocketClient}: {@code connect(URI, handler)} for
 *       {@code ws:} URIs ({@code wss:} is refused until the loop layer has TLS).</li>
 *   <li>{@link dev.roundhouse.websocket.WebSocketHandler}: callbacks, grammar
 *       {@code open -> (text | binary | fragment | ping | pong | writability)* -> closing? -> closed},
 *       all on the loop thread.</li>
 *   <li>{@link dev.roundhouse.websocket.WebSocket}: sends returning futures, close, backpressure;
 *       loop-thread-only, enforced with {@link dev.roundhouse.loop.LoopAffinityException}.</li>
 *   <li>{@link dev.roundhouse.websocket.WebSocketOptions}: every limit with a safe default.</li>
 * </ul>
 *
 * <p>Failures map to close codes: 1002 protocol error, 1007 invalid UTF-8 (found at the bad byte,
 * across fragments), 1009 a limit, 1011 a handler threw; bad handshakes get 400/403/404/405/426/431/505
 * with the reason in the body. Peer misbehaviour is logged once per connection at DEBUG (it is the
 * peer's fault and may come in floods); a handler that throws is logged at WARNING.
 */
package dev.roundhouse.websocket;
