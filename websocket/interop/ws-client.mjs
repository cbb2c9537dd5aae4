// The npm `ws` library as a client against a Roundhouse echo server.
// Usage: node ws-client.mjs ws://127.0.0.1:PORT/echo [--echo-only]
// The server echoes every message and, on the text "close:CODE", closes with CODE; --echo-only
// skips that server-initiated close check (for `roundhouse ws-echo`, which only echoes).
// Prints one line per check and ends with "N passed, N failed"; exits 1 on any failure.
import { WebSocket } from 'ws';
import { randomBytes } from 'node:crypto';

const url = process.argv[2];
const echoOnly = process.argv.includes('--echo-only');
let passed = 0, failed = 0;
const check = (name, ok, detail = '') => {
  if (ok) { passed++; console.log(`ok   ${name}`); } else { failed++; console.log(`FAIL ${name} ${detail}`); }
};

function open(deflate) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: deflate, maxPayload: 32 * 1024 * 1024 });
    const inbox = [];
    let waiter = null;
    ws.on('message', (data, isBinary) => {
      inbox.push({ data, isBinary });
      if (waiter) { const w = waiter; waiter = null; w(); }
    });
    ws.next = () => new Promise((res, rej) => {
      const t = setTimeout(() => rej(new Error('timeout waiting for echo')), 30000);
      const take = () => { clearTimeout(t); res(inbox.shift()); };
      if (inbox.length) take(); else waiter = take;
    });
    ws.closed = new Promise((res) => ws.on('close', (code, reason) => res({ code, reason: reason.toString() })));
    ws.on('open', () => resolve(ws));
    ws.on('error', reject);
  });
}

const SIZES = [0, 1, 125, 126, 127, 65535, 65536, 1 << 20, 16 << 20];

async function matrix(deflate) {
  const tag = deflate ? 'deflate' : 'plain';
  const ws = await open(deflate);
  check(`${tag}: extension negotiated as asked`, deflate ? ws.extensions.includes('permessage-deflate') : ws.extensions === '', ws.extensions);
  for (const n of SIZES) {
    const s = n >= 8 ? 'é€😀' + 'x'.repeat(n - 8) : 'x'.repeat(n);
    ws.send(s);
    const m = await ws.next();
    check(`${tag}: text ${n}`, !m.isBinary && m.data.toString() === s);
  }
  for (const n of SIZES) {
    const b = randomBytes(n);
    ws.send(b);
    const m = await ws.next();
    check(`${tag}: binary ${n}`, m.isBinary && Buffer.compare(m.data, b) === 0);
  }
  ws.send('frag-', { fin: false });
  ws.send('ment-', { fin: false });
  ws.send('ed', { fin: true });
  let m = await ws.next();
  check(`${tag}: fragmented text`, m.data.toString() === 'frag-ment-ed', m.data.toString());
  const parts = [randomBytes(1000), randomBytes(70000), randomBytes(1)];
  parts.forEach((p, i) => ws.send(p, { binary: true, fin: i === parts.length - 1 }));
  m = await ws.next();
  check(`${tag}: fragmented binary`, m.isBinary && Buffer.compare(m.data, Buffer.concat(parts)) === 0);
  ws.ping('are you there');
  const pong = await new Promise((res) => ws.once('pong', (d) => res(d.toString())));
  check(`${tag}: ping answered`, pong === 'are you there');
  ws.close(4000, 'client bye');
  const c = await ws.closed;
  check(`${tag}: client-initiated close echoed`, c.code === 4000, JSON.stringify(c));

  if (echoOnly) return;
  const ws2 = await open(deflate);
  ws2.send('close:4001');
  const c2 = await ws2.closed;
  check(`${tag}: server-initiated close code`, c2.code === 4001, JSON.stringify(c2));
}

try {
  await matrix(false);
  await matrix(true);
} catch (e) {
  failed++;
  console.log(`FAIL exception ${e.stack || e}`);
}
console.log(`ws-client: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
