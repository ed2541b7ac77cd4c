// The playground of issue 7, driven like a person: the lecture's matrix, live policy editing,
// errors at their line, autosave and share links.
import { open, matrixWords, cellWord, select, caretToLineEnd, editorText, until } from './helpers.mjs';

// The lecture's closing example (scenarios/lecture.json), over its own columns kms:Encrypt and
// kms:Decrypt: "Alice: CMK-A yes, CMK-B no, CMK-C yes; Bob: no, yes, no (explicit deny);
// Charlie: CMK-A Encrypt only, CMK-B yes, CMK-C no (explicit deny); David: none, CMK-C by
// explicit deny".
const LECTURE = {
  Alice: ['Allow', 'None', 'Allow'],
  Bob: ['None', 'Allow', 'Deny'],
  Charlie: ['Encrypt only', 'Allow', 'Deny'],
  David: ['None', 'None', 'Deny'],
};

/**
 * Types a Deny for Alice as the first statement of CMK-A's key policy, as a person would: the
 * editor closes brackets and quotes and indents each new line; the arrow keys step past the
 * closers it inserted.
 */
async function typeDenyForAlice(page) {
  await select(page, 'CMK-A');
  // Line 4 is `"Statement": [`.
  await caretToLineEnd(page, 4);
  const k = page.keyboard;
  await k.press('Enter');
  await k.type('{');
  await k.press('Enter');
  await k.type('"Sid": "DenyAlice",');
  await k.press('Enter');
  await k.type('"Effect": "Deny",');
  await k.press('Enter');
  await k.type('"Principal": {');
  await k.press('Enter');
  await k.type('"AWS": "arn:aws:iam::111122223333:user/Alice"');
  await k.press('ArrowDown');
  await k.press('End');
  await k.type(',');
  await k.press('Enter');
  await k.type('"Action": "kms:*",');
  await k.press('Enter');
  await k.type('"Resource": "*"');
  await k.press('ArrowDown');
  await k.press('End');
  await k.type(',');
}

export default [
  {
    name: "the lecture's twelve cells read as the lecture says",
    run: async ({ page, baseUrl, expect }) => {
      await open(page, baseUrl);
      const words = await matrixWords(page);
      expect(JSON.stringify(words) === JSON.stringify(LECTURE), `matrix ${JSON.stringify(words)}`);
      // Explicit and implicit denies are told apart in words for screen readers too.
      const bobC = await page.getAttribute('#cell-1-2', 'aria-label');
      expect(bobC.includes('explicitly denied'), `Bob x CMK-C label: ${bobC}`);
      const davidA = await page.getAttribute('#cell-3-0', 'aria-label');
      expect(davidA.includes('implicitly denied'), `David x CMK-A label: ${davidA}`);
      // Over every key action the lecture's "full access" reads Full.
      await page.selectOption('#action-picker', 'all');
      await until(page, async (p) => (await cellWord(p, 'Alice', 'CMK-A')) === 'Full', 'Alice x CMK-A Full');
      expect((await cellWord(page, 'Charlie', 'CMK-A')) === 'Encrypt only', 'Charlie stays Encrypt only');
    },
  },
  {
    name: 'typing a Deny into a key policy flips the cell and says what changed',
    run: async ({ page, baseUrl, expect, shot }) => {
      await open(page, baseUrl);
      expect((await cellWord(page, 'Alice', 'CMK-A')) === 'Allow', 'Alice starts allowed');
      await typeDenyForAlice(page);
      await until(page, async (p) => (await cellWord(p, 'Alice', 'CMK-A')) === 'Deny', 'Alice x CMK-A Deny');
      const text = await editorText(page);
      JSON.parse(text); // pairing and indentation kept the document valid JSON
      const change = await page.textContent('#change-line');
      expect(change.includes('Alice × CMK-A: Allow → explicit Deny'), `change line: ${change}`);
      expect(change.includes('DenyAlice'), `change line names the statement: ${change}`);
      expect(await page.isVisible('#cell-0-0 .cell.changed'), 'the changed cell is marked');
      expect(text.includes('\n    {\n      "Sid": "DenyAlice",\n'), `typed with indentation: ${text.slice(0, 200)}`);
      const status = await page.textContent('#status-line');
      expect(/\d+ decisions/.test(status) && /ms/.test(status), `status line: ${status}`);
      // The why panel explains the new value with the deciding statement and AWS's error.
      await page.click('#cell-0-0');
      await page.waitForSelector('#why-verdict');
      expect((await page.textContent('#why-verdict')).includes('DENIED, explicitly'), 'why verdict');
      expect(
        (await page.textContent('#why-error')).includes('with an explicit deny in a resource-based policy'),
        'AccessDeniedException text',
      );
      await shot('readme');
      // "Show statement" selects the deciding statement in its editor.
      await page.click('#why-panel li:has-text("DenyAlice") button:text-is("Show statement")');
      const selected = await page.$eval('#policy-editor', (t) => t.value.slice(t.selectionStart, t.selectionEnd));
      expect(selected.startsWith('{') && selected.includes('"Sid": "DenyAlice"') && selected.endsWith('}'), `selected: ${selected}`);
    },
  },
  {
    name: 'broken JSON shows the error at its line and keeps the last matrix, marked stale',
    run: async ({ page, baseUrl, expect }) => {
      await open(page, baseUrl);
      await select(page, 'CMK-C');
      // Line 12 ends the first statement with `},`: delete the comma.
      await caretToLineEnd(page, 12);
      await page.keyboard.press('Backspace');
      await page.waitForSelector('#stale-band');
      const problems = await page.$$eval('.editor-problems .problems li', (items) => items.map((i) => i.textContent));
      expect(problems.length > 0, 'a problem is listed');
      expect(problems[0].includes('13:5'), `the problem is at 13:5: ${problems[0]}`);
      expect(await page.isVisible('.gutter .ln:nth-child(13) .mark'), 'the gutter marks line 13');
      // The matrix keeps its last valid values, marked stale.
      expect((await cellWord(page, 'Bob', 'CMK-C')) === 'Deny', 'Bob x CMK-C keeps Deny');
      expect(await page.isVisible('#cell-1-2 .cell.stale'), 'the CMK-C column is marked stale');
      // Clicking the problem puts the caret there.
      await page.click('.editor-problems .problems li button');
      const caret = await page.$eval('#policy-editor', (t) => t.value.slice(0, t.selectionStart).split('\n').length);
      expect(caret === 13, `caret moved to line 13, got ${caret}`);
      // Fixing it brings the column back.
      await caretToLineEnd(page, 12);
      await page.keyboard.type(',');
      await until(page, async (p) => !(await p.isVisible('#stale-band')), 'stale band gone');
    },
  },
  {
    name: 'an edit survives a reload',
    run: async ({ page, baseUrl, expect }) => {
      await open(page, baseUrl);
      await typeDenyForAlice(page);
      await until(page, async (p) => (await cellWord(p, 'Alice', 'CMK-A')) === 'Deny', 'Alice x CMK-A Deny');
      await page.waitForTimeout(900); // autosave runs 500 ms after the last change
      await page.reload();
      await page.waitForSelector('#matrix tbody tr');
      expect((await cellWord(page, 'Alice', 'CMK-A')) === 'Deny', 'still Deny after reload');
      await select(page, 'CMK-A');
      expect((await editorText(page)).includes('DenyAlice'), 'the typed statement is still there');
      // Text that does not parse yet is kept too.
      await caretToLineEnd(page, 2);
      await page.keyboard.type(' oops');
      await page.waitForSelector('#stale-band');
      await page.waitForTimeout(900);
      await page.reload();
      await page.waitForSelector('#matrix tbody tr');
      await select(page, 'CMK-A');
      expect((await editorText(page)).includes('oops'), 'the half-typed text is kept');
      expect(await page.isVisible('#stale-band'), 'and still marked stale');
    },
  },
  {
    name: 'a share link opens the same world in a fresh browser profile',
    run: async ({ page, baseUrl, expect, newContext }) => {
      await open(page, baseUrl);
      await typeDenyForAlice(page);
      await until(page, async (p) => (await cellWord(p, 'Alice', 'CMK-A')) === 'Deny', 'Alice x CMK-A Deny');
      await page.click('#share');
      const link = await page.inputValue('#share-link');
      expect(link.startsWith(`${baseUrl.replace(/\/$/, '')}/#s=1.`), `link format: ${link.slice(0, 60)}`);
      const mine = await matrixWords(page);
      const other = await newContext();
      try {
        const fresh = other.pages()[0] ?? (await other.newPage());
        await open(fresh, link);
        const theirs = await matrixWords(fresh);
        expect(JSON.stringify(theirs) === JSON.stringify(mine), `shared matrix ${JSON.stringify(theirs)}`);
        // The fresh-playground link (it opens in a new tab) ignores what is saved.
        await fresh.goto('about:blank');
        await open(fresh, `${baseUrl}#fresh`);
        expect(JSON.stringify(await matrixWords(fresh)) === JSON.stringify(LECTURE), 'fresh is the lecture');
      } finally {
        await other.close();
      }
    },
  },
  {
    name: 'corrupt saved data opens the lecture with a notice, never a blank page',
    run: async ({ page, baseUrl, expect }) => {
      await open(page, baseUrl);
      await page.evaluate(() => localStorage.setItem('kms-playground.autosave', '{"format": 1, "scen'));
      await page.reload();
      await page.waitForSelector('#matrix tbody tr');
      expect(JSON.stringify(await matrixWords(page)) === JSON.stringify(LECTURE), 'the lecture opened');
      expect(await page.isVisible('#recovery'), 'the recovery notice offers the saved data');
    },
  },
  {
    name: 'the grid is keyboard-usable: arrows move, Enter explains',
    run: async ({ page, baseUrl, expect }) => {
      await open(page, baseUrl);
      await page.focus('#cell-0-0');
      await page.keyboard.press('ArrowDown');
      await page.keyboard.press('ArrowRight');
      await page.keyboard.press('ArrowRight');
      const focused = await page.evaluate(() => document.activeElement.id);
      expect(focused === 'cell-1-2', `focus on Bob x CMK-C, got ${focused}`);
      await page.keyboard.press('Enter');
      await page.waitForSelector('#why-verdict');
      expect((await page.textContent('#tab-why')).includes('Bob × CMK-C'), 'why panel for Bob x CMK-C');
      expect(await page.evaluate(() => document.activeElement.id) === 'cell-1-2', 'focus stays in the grid');
      const tabStops = await page.$$eval('#matrix td[tabindex="0"]', (cells) => cells.length);
      expect(tabStops === 1, `one Tab stop in the grid, got ${tabStops}`);
    },
  },
  {
    name: '#fresh leaves the autosave alone, and another tab saving is announced',
    run: async ({ page, context, baseUrl, expect }) => {
      await open(page, baseUrl);
      await typeDenyForAlice(page);
      await until(page, async (p) => (await cellWord(p, 'Alice', 'CMK-A')) === 'Deny', 'Alice x CMK-A Deny');
      await page.waitForTimeout(900);
      // A second tab on the same profile opens fresh: the lecture, not the saved edit.
      const other = await context.newPage();
      await open(other, `${baseUrl}#fresh`);
      expect((await cellWord(other, 'Alice', 'CMK-A')) === 'Allow', 'the fresh tab shows the lecture');
      // Reloading the first tab still finds the edit: opening #fresh saved nothing.
      await page.reload();
      await page.waitForSelector('#matrix tbody tr');
      expect((await cellWord(page, 'Alice', 'CMK-A')) === 'Deny', 'the saved edit is untouched');
      // Once the fresh tab is edited it saves, and the first tab hears of it.
      await select(other, 'CMK-B');
      await caretToLineEnd(other, 2);
      await other.keyboard.type(' ');
      await page.waitForSelector('#other-tab', { timeout: 5000 });
      await page.click('#other-tab button:text-is("Keep mine")');
      expect(!(await page.isVisible('#other-tab')), 'the banner goes away');
      await other.close();
    },
  },
];
