// End-to-end test runner: drives the built app in Debian's headless Chromium the way a person does.
//
// Usage: node e2e/run.mjs BASE_URL [FILTER]
// Every `e2e/*.test.mjs` file default-exports an array of `{ name, run }`; `run` receives
// `{ page, context, baseUrl, newContext, shot, expect }`. One Chromium serves every test; each test
// gets a fresh browser context (its own storage), so localStorage starts empty unless the test
// reloads within its own context.

import { chromium } from 'playwright-core';
import { readdirSync, mkdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const baseUrl = process.argv[2];
const filter = process.argv[3] ?? '';
if (!baseUrl) {
  console.error('usage: node e2e/run.mjs BASE_URL [FILTER]');
  process.exit(2);
}
const artifacts = join(here, 'artifacts');
mkdirSync(artifacts, { recursive: true });

const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage',
];

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  args: CHROMIUM_ARGS,
});
async function newContext(options = {}) {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, ...options });
  context.setDefaultTimeout(15000);
  return context;
}

function expect(condition, message) {
  if (!condition) throw new Error(`expectation failed: ${message}`);
}

const files = readdirSync(here).filter((f) => f.endsWith('.test.mjs')).sort();
let passed = 0;
let failed = 0;
for (const file of files) {
  const tests = (await import(pathToFileURL(join(here, file)))).default;
  for (const test of tests) {
    const fullName = `${file.replace('.test.mjs', '')}: ${test.name}`;
    if (filter && !fullName.includes(filter)) continue;
    const context = await newContext(test.viewport ? { viewport: test.viewport } : {});
    const page = await context.newPage();
    const pageErrors = [];
    page.on('pageerror', (err) => pageErrors.push(String(err)));
    page.on('console', (msg) => { if (msg.type() === 'error') pageErrors.push(msg.text()); });
    const shot = (name) => page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: false });
    const started = Date.now();
    try {
      await test.run({ page, context, baseUrl, newContext, shot, expect });
      // A test that breaks something on purpose names the console errors that follow from it.
      const expected = test.expectedConsoleErrors;
      const errors = pageErrors.filter((e) => !e.includes('favicon') && !(expected && expected.test(e)));
      expect(errors.length === 0, `no errors in the page console, got: ${errors.join(' | ')}`);
      passed += 1;
      console.log(`ok   ${fullName} (${Date.now() - started} ms)`);
    } catch (err) {
      failed += 1;
      console.log(`FAIL ${fullName}\n     ${String(err.stack ?? err).split('\n').join('\n     ')}`);
      await page.screenshot({ path: join(artifacts, `FAILED-${fullName.replace(/[^\w-]+/g, '_')}.png`) }).catch(() => {});
    } finally {
      await context.close().catch(() => {});
    }
  }
}
await browser.close();
console.log(`e2e: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
