/**
 * The WebSocket fast path, public so that the benchmarks module can measure it: masking
 * ({@link dev.roundhouse.websocket.fastpath.Masking}) and incremental UTF-8 validation
 * ({@link dev.roundhouse.websocket.fastpath.Utf8Validator}), each with a byte-at-a-time reference
 * ({@link dev.roundhouse.websocket.fastpath.MaskingReference},
 * {@link dev.roundhouse.websocket.fastpath.Utf8Reference}) that tests compare against.
 * Everything here is stateless and allocation-free.
 */
package dev.roundhouse.websocket.fastpath;
