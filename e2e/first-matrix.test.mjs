// The release's page shows the lecture's matrix as static HTML before the WebAssembly arrives
// (src/prerender.rs), with the words the app then shows; never over a saved playground or a link.
import { open, matrixWords } from './helpers.mjs';

/** The static matrix's words as { principal: [word, ...] }, or null when the page has none. */
async function staticWords(page) {
  if (!(await page.$('#first-matrix'))) return null;
  return page.$$eval('#first-matrix tbody tr', (rows) =>
    Object.fromEntries(
      rows.map((row) => [
        row.querySelector('th').firstChild.textContent.trim(),
        [...row.querySelectorAll('.word')].map((w) => w.textContent.trim()),
      ]),
    ),
  );
}

/** Opens `url` in a new page of `context` whose WebAssembly never arrives. */
async function openWithoutWasm(context, url) {
  const page = await context.newPage();
  await page.route('**/*.wasm', (route) => route.abort());
  await page.goto(url);
  await page.waitForSelector('#load-failed');
  return page;
}

export default [
  {
    name: 'the lecture matrix shows before the WebAssembly, with the words the app then shows',
    run: async ({ page, context, baseUrl, expect, shot }) => {
      // The first page of this context: no service worker has cached the WebAssembly yet.
      const early = await openWithoutWasm(context, baseUrl);
      const before = await staticWords(early);
      expect(before !== null, 'the page carries the static matrix');
      await early.screenshot({ path: new URL('./artifacts/first-matrix-static.png', import.meta.url).pathname });
      expect(
        (await early.textContent('#load-failed')).includes('could not load'),
        'a failed load says so instead of "Loading" for ever',
      );
      await early.close();

      await open(page, baseUrl);
      expect((await page.$('#first-matrix')) === null, 'the app removes the static matrix');
      const after = await matrixWords(page);
      expect(JSON.stringify(before) === JSON.stringify(after), `static ${JSON.stringify(before)} vs app ${JSON.stringify(after)}`);
      expect(after.Bob[2] === 'Deny', 'CMK-C denies Bob explicitly');
      await shot('first-matrix-app');
    },
  },
  {
    name: 'the static lecture matrix never shows over a saved playground or a link',
    run: async ({ newContext, baseUrl, expect }) => {
      // No service worker: it would answer for the WebAssembly these pages must not get.
      const context = await newContext({ serviceWorkers: 'block' });
      const page = await context.newPage();
      await open(page, baseUrl);
      // A change autosaves the playground.
      await page.click('#add-principal');
      await page.fill('#new-principal-name', 'Erin');
      await page.click('form[aria-label="Add a principal"] button[type="submit"]');
      await page.waitForSelector('#principal-list .name:text-is("Erin")');
      // The autosave's key (src/persist.rs, STORAGE_KEY); the save follows the change.
      await page.waitForFunction(() => localStorage.getItem('kms-playground.autosave') !== null);
      const saved = await openWithoutWasm(context, baseUrl);
      expect((await staticWords(saved)) === null, 'not over a saved playground');
      await saved.close();
      const fresh = await openWithoutWasm(context, `${baseUrl}#fresh`);
      expect((await staticWords(fresh)) !== null, '#fresh opens the lecture, so it shows');
      await fresh.close();
      const tour = await openWithoutWasm(context, `${baseUrl}#tour`);
      expect((await staticWords(tour)) === null, 'not for a course link');
      await tour.close();
      await context.close();
    },
  },
];
