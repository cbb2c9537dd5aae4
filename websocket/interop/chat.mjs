// Drives `roundhouse chat` with two headless Chromium pages: each joins under its own name, says
// something, and both must show both lines. Saves a screenshot of the first page.
// Usage: node chat.mjs http://127.0.0.1:PORT/ SCREENSHOT.png
import { chromium } from 'playwright-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const [url, shot] = process.argv.slice(2);
const userDataDir = mkdtempSync(join(tmpdir(), 'roundhouse-chat-'));
const context = await chromium.launchPersistentContext(userDataDir, {
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  timeout: 60000,
});
let code = 1;
try {
  const alice = context.pages()[0] || await context.newPage();
  const bob = await context.newPage();
  for (const [page, name] of [[alice, 'alice'], [bob, 'bob']]) {
    await page.addInitScript((n) => localStorage.setItem('roundhouse-chat-name', n), name);
    await page.goto(url, { timeout: 30000 });
    await page.waitForFunction(() => document.getElementById('status').textContent.startsWith('connected'), null, { timeout: 30000 });
  }
  for (const [page, text] of [[alice, 'hello from alice'], [bob, 'hi alice, bob here']]) {
    await page.fill('#text', text);
    await page.press('#text', 'Enter');
  }
  for (const page of [alice, bob]) {
    await page.waitForFunction(() => {
      const t = document.getElementById('log').textContent;
      return t.includes('alice:hello from alice') && t.includes('bob:hi alice, bob here');
    }, null, { timeout: 30000 });
  }
  console.log(`status: ${await alice.textContent('#status')}`);
  console.log((await alice.textContent('#log')).replace(/(joined|left|alice:|bob:)/g, '\n$1').trim());
  if (shot) await alice.screenshot({ path: shot });
  code = 0;
  console.log('chat: 1 passed, 0 failed');
} catch (e) {
  console.log(`FAIL ${e.stack || e}`);
  console.log('chat: 0 passed, 1 failed');
} finally {
  await context.close();
  rmSync(userDataDir, { recursive: true, force: true });
}
process.exit(code);
