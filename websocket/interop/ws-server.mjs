// The npm `ws` library as a server for the Roundhouse client.
// Prints "PORT <n>" once listening on 127.0.0.1, then one JSON line per event the test checks.
// Echoes every message; on the text "close:CODE" closes with CODE and reason "ws closing".
// Exits by itself after 120 s so that a stuck test never leaves it behind.
import { WebSocketServer } from 'ws';

const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: true, maxPayload: 32 * 1024 * 1024 });
wss.on('listening', () => console.log(`PORT ${wss.address().port}`));
wss.on('connection', (ws, req) => {
  console.log(JSON.stringify({ event: 'open', extensions: ws.extensions, offered: req.headers['sec-websocket-extensions'] || '' }));
  ws.on('message', (data, isBinary) => {
    if (!isBinary && data.length < 32 && data.toString().startsWith('close:')) {
      ws.close(Number(data.toString().slice(6)), 'ws closing');
      return;
    }
    ws.send(data, { binary: isBinary });
  });
  ws.on('close', (code, reason) => console.log(JSON.stringify({ event: 'close', code, reason: reason.toString() })));
});
setTimeout(() => process.exit(0), 120000).unref();
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
