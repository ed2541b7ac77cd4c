// Performance figures of the release build in headless Chromium (a benchmark, not a test):
// keystroke -> repainted matrix for the lecture and for the generated 200 x 50 world, and the
// gzip size of dist/.
//
// Usage: node e2e/bench.mjs BASE_URL [DIST_DIR]
//
// A keystroke is the browser's own `insertText` editing command on the focused policy editor,
// which fires the same `input` event typing does. Two times are reported per edit:
//   work  - from the keystroke until the app has handled it (engine recomputation, diagnostics,
//           Yew's re-render, all in the task and microtasks the event starts);
//   frame - from the keystroke until the browser has painted the next frame after it.
// Each edit inserts a space (the policy stays valid, so the matrix is recomputed) and the next
// one deletes it again.
import { chromium } from 'playwright-core';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const baseUrl = process.argv[2];
const dist = process.argv[3] ?? 'dist';
if (!baseUrl) {
  console.error('usage: node e2e/bench.mjs BASE_URL [DIST_DIR]');
  process.exit(2);
}
const ROUNDS = 40;

function stats(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { median: at(0.5), p90: at(0.9), max: sorted[sorted.length - 1] };
}

const fmt = (s) => `median ${s.median.toFixed(1)} ms, p90 ${s.p90.toFixed(1)} ms, max ${s.max.toFixed(1)} ms`;

/** Times ROUNDS keystrokes in the open editor; returns { work, frame } samples in ms. */
async function keystrokes(page, offset) {
  return page.evaluate(
    async ({ rounds, offset }) => {
      const ta = document.querySelector('#policy-editor');
      ta.focus();
      const work = [];
      const frame = [];
      for (let i = 0; i < rounds + 5; i += 1) {
        ta.setSelectionRange(offset, i % 2 === 0 ? offset : offset + 1);
        const t0 = performance.now();
        if (i % 2 === 0) document.execCommand('insertText', false, ' ');
        else document.execCommand('delete');
        // Yew renders in microtasks; a macrotask runs after them.
        await new Promise((r) => setTimeout(r, 0));
        const t1 = performance.now();
        // rAF runs just before the next paint; the task after it runs after that paint.
        await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
        const t2 = performance.now();
        if (i >= 5) {
          work.push(t1 - t0);
          frame.push(t2 - t0);
        }
      }
      return { work, frame };
    },
    { rounds: ROUNDS, offset },
  );
}

async function openSidebarItem(page, name) {
  await page.click(`.sidebar button.item:has(.name:text-is("${name}"))`);
  await page.waitForSelector('#policy-editor');
}

async function measure(page, label, item) {
  await openSidebarItem(page, item);
  // Just after the document's opening `{`: whitespace there keeps it valid JSON.
  const { work, frame } = await keystrokes(page, 1);
  const status = await page.textContent('#status-line');
  const decisions = status.match(/(\d+) decisions/)?.[1];
  console.log(`${label}: ${decisions} decisions per edit`);
  console.log(`  work:  ${fmt(stats(work))}`);
  console.log(`  frame: ${fmt(stats(frame))}`);
}

/**
 * Pastes a 300 KB key policy into the open editor with the clipboard and Ctrl+V, as a person
 * does (the `insertText` editing command is no stand-in here: Chromium inserts a multi-line text
 * through it line by line, which alone takes tens of seconds for this text), then types a few
 * keys into it: the time to the next frame and the longest main-thread task of each, and whether
 * the size error shows right after the paste.
 */
async function paste(page, item) {
  await openSidebarItem(page, item);
  const bytes = await page.evaluate(async () => {
    const statement = '{"Sid": "Pasted", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": ["kms:Encrypt", "kms:Decrypt"], "Resource": "*"}';
    let big = '{"Version": "2012-10-17", "Statement": [';
    while (big.length < 300000) big += `${statement},\n`;
    big += `${statement}]}`;
    await navigator.clipboard.writeText(big);
    const ta = document.querySelector('#policy-editor');
    window.benchOriginal = ta.value;
    window.benchLongest = 0;
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) window.benchLongest = Math.max(window.benchLongest, entry.duration);
    }).observe({ type: 'longtask' });
    window.benchPasted = null;
    ta.addEventListener('input', () => {
      requestAnimationFrame(() => setTimeout(() => { window.benchPasted ??= performance.now(); }, 0));
    }, { once: true });
    ta.focus();
    ta.select();
    window.benchPasteStart = performance.now();
    return big.length;
  });
  await page.keyboard.press('Control+V');
  await page.waitForFunction(() => window.benchPasted !== null, null, { timeout: 600000 });
  const result = await page.evaluate(async (bytes) => {
    const pasteFrame = window.benchPasted - window.benchPasteStart;
    const sizeError = /bytes, more than the 32768/.test(document.body.textContent);
    await new Promise((r) => setTimeout(r, 500));
    const pasteTask = window.benchLongest;
    window.benchLongest = 0;
    const ta = document.querySelector('#policy-editor');
    const settle = () => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
    const keys = [];
    for (let i = 0; i < 6; i += 1) {
      ta.setSelectionRange(1, i % 2 === 0 ? 1 : 2);
      const k0 = performance.now();
      if (i % 2 === 0) document.execCommand('insertText', false, ' ');
      else document.execCommand('delete');
      await settle();
      keys.push(performance.now() - k0);
    }
    await new Promise((r) => setTimeout(r, 500));
    const keyTask = window.benchLongest;
    ta.select();
    document.execCommand('insertText', false, window.benchOriginal);
    await settle();
    return { bytes, pasteFrame, pasteTask, sizeError, keys, keyTask };
  }, bytes);
  console.log(`paste ${(result.bytes / 1000).toFixed(0)} KB into ${item}'s key policy: next frame ${result.pasteFrame.toFixed(1)} ms, longest task ${result.pasteTask.toFixed(1)} ms, size error shown: ${result.sizeError}`);
  console.log(`  keystrokes in it: ${fmt(stats(result.keys))}; longest task ${result.keyTask.toFixed(1)} ms`);
}

function distSize(dir) {
  let raw = 0;
  let gz = 0;
  // What the browser needs before it paints the first matrix: the page, which carries the
  // lecture's matrix as static HTML, and its render-blocking stylesheet.
  let first = 0;
  const lines = [];
  for (const file of readdirSync(dir)) {
    const path = join(dir, file);
    if (!statSync(path).isFile()) continue;
    const bytes = readFileSync(path);
    const zipped = gzipSync(bytes, { level: 9 }).length;
    raw += bytes.length;
    gz += zipped;
    if (file === 'index.html' || file.endsWith('.css')) first += zipped;
    lines.push(`  ${file}: ${bytes.length} bytes, ${zipped} gzipped`);
  }
  return { raw, gz, first, lines };
}

const profile = mkdtempSync(join(tmpdir(), 'kms-playground-bench-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-dev-shm-usage'],
  viewport: { width: 1440, height: 900 },
});
try {
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(baseUrl).origin });
  const page = context.pages()[0] ?? (await context.newPage());
  await page.goto(`${baseUrl}#fresh`);
  await page.waitForSelector('#matrix tbody tr');
  await measure(page, 'lecture, key policy edit (CMK-A column)', 'CMK-A');
  await measure(page, 'lecture, identity policy edit (Alice row)', 'Alice');

  const loadStart = Date.now();
  await page.selectOption('#scenario-menu', 'large');
  await page.waitForFunction(() => document.querySelector('#status-line').textContent.includes('200 × 50'));
  console.log(`200 x 50 world: loaded and first matrix painted in ${Date.now() - loadStart} ms`);
  const loadStatus = await page.textContent('#status-line');
  console.log(`  engine time in the status line: ${loadStatus.match(/([\d.]+ ?ms)/)?.[1]} (${loadStatus.match(/(\d+) decisions/)?.[1]} decisions)`);
  const firstKey = await page.$eval('#key-list .name', (n) => n.textContent);
  const firstPrincipal = await page.$eval('#principal-list .item:has(.badge:not(:text-is("user"))) .name', (n) => n.textContent).catch(
    async () => page.$eval('#principal-list .name', (n) => n.textContent),
  );
  await measure(page, `200 x 50, key policy edit (${firstKey} column)`, firstKey);
  await measure(page, `200 x 50, identity policy edit (${firstPrincipal} row)`, firstPrincipal);
  await paste(page, firstKey);
  await page.selectOption('#action-picker', 'all');
  await page.waitForFunction(() => document.querySelector('#status-line').textContent.includes('decisions'));
  await measure(page, `200 x 50 over all key actions, key policy edit (${firstKey} column)`, firstKey);
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}

const size = distSize(dist);
console.log(`dist/: ${size.raw} bytes, ${size.gz} bytes gzipped (${(size.gz / 1024).toFixed(1)} KiB)`);
console.log(`before the first matrix shows (the page with its static matrix, and the stylesheet): ${size.first} bytes gzipped`);
for (const line of size.lines) console.log(line);
