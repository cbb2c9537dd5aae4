// Headless Chromium (Debian's /usr/bin/chromium) driven by playwright-core: opens the interop page
// that a Roundhouse server serves, waits for its checks, prints what the page shows, and saves a
// screenshot. Usage: node browser.mjs http://127.0.0.1:PORT/ SCREENSHOT.png
// Exits 0 only if every check on the page passed and permessage-deflate was negotiated.
import { chromium } from 'playwright-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const [url, shot] = process.argv.slice(2);
const userDataDir = mkdtempSync(join(tmpdir(), 'roundhouse-chromium-'));
const context = await chromium.launchPersistentContext(userDataDir, {
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  timeout: 60000,
});
let code = 1;
try {
  const page = context.pages()[0] || await context.newPage();
  page.on('console', (m) => console.log(`page console: ${m.text()}`));
  await page.goto(url, { timeout: 30000 });
  await page.waitForFunction(() => document.getElementById('summary').dataset.done === '1', null, { timeout: 90000 });
  const summary = await page.textContent('#summary');
  const extensions = await page.textContent('#extensions');
  const results = await page.textContent('#results');
  console.log(results.trim());
  console.log(`extensions: ${extensions}`);
  console.log(`summary: ${summary}`);
  if (shot) await page.screenshot({ path: shot, fullPage: true });
  code = summary.startsWith('ALL PASSED') && extensions.includes('permessage-deflate') ? 0 : 1;
} catch (e) {
  console.log(`FAIL ${e.stack || e}`);
} finally {
  await context.close();
  rmSync(userDataDir, { recursive: true, force: true });
}
process.exit(code);
