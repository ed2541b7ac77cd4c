// The policy editor with a long document: a paste of thousands of lines shows the right lines
// wherever the editor is scrolled, while only the lines near the view are drawn under the text
// area (drawing all of them made every keystroke in a 300 KB paste lay out and paint them all).

import { open, select, until } from './helpers.mjs';

const STATEMENTS = 2000;

/** A key policy of STATEMENTS statements, one a line: line n + 2 holds the statement `S<n>`. */
function longPolicy() {
  const lines = ['{"Version": "2012-10-17", "Statement": ['];
  for (let n = 0; n < STATEMENTS; n += 1) {
    const comma = n + 1 < STATEMENTS ? ',' : '';
    lines.push(`{"Sid": "S${n}", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"}${comma}`);
  }
  lines.push(']}');
  return lines.join('\n');
}

/** The line numbers the gutter draws, and those of them inside the editor's visible box. */
async function gutterLines(page) {
  return page.evaluate(() => {
    const box = document.querySelector('.gutter').getBoundingClientRect();
    const lines = [...document.querySelectorAll('.gutter .ln')];
    const visible = lines
      .filter((l) => {
        const r = l.getBoundingClientRect();
        return r.top >= box.top - 1 && r.bottom <= box.bottom + 1;
      })
      .map((l) => Number(l.textContent));
    return { drawn: lines.length, visible };
  });
}

export default [
  {
    name: 'a 2,000-line paste shows the right lines wherever it is scrolled, drawing only those near the view',
    run: async ({ page, context, baseUrl, expect, shot }) => {
      await open(page, baseUrl);
      await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(baseUrl).origin });
      await select(page, 'CMK-A');
      await page.waitForSelector('#policy-editor');
      const text = longPolicy();
      await page.evaluate((t) => navigator.clipboard.writeText(t), text);
      await page.click('#policy-editor');
      await page.keyboard.press('Control+A');
      await page.keyboard.press('Control+V');
      await until(page, async () => (await page.inputValue('#policy-editor')).length === text.length, 'the paste arrives');
      // The caret is at the end: the last lines are in view.
      await until(page, async () => (await gutterLines(page)).visible.includes(STATEMENTS), 'the last lines are in view');
      const atEnd = await gutterLines(page);
      expect(atEnd.drawn < 200, `only the lines near the view are drawn (${atEnd.drawn} of ${STATEMENTS + 2})`);
      expect(await page.textContent('.code pre').then((t) => t.includes('"Sid": "S1999"')), 'the last statement is drawn');
      await shot('long-paste-end');

      // Scroll so that line 1000 is the first visible line: its number and its text are drawn there.
      await page.$eval('#policy-editor', (ta) => { ta.scrollTop = 999 * 20; });
      await until(page, async () => (await gutterLines(page)).visible.includes(1000), 'line 1000 is in view after scrolling');
      const middle = await gutterLines(page);
      expect(middle.visible[0] >= 999 && middle.visible[0] <= 1001, `the view starts at line 1000: ${middle.visible.slice(0, 3)}`);
      const rows = await page.evaluate(() => {
        // The drawn text line at the height of the gutter's line 1000.
        const ln = [...document.querySelectorAll('.gutter .ln')].find((l) => l.textContent === '1000');
        const y = ln.getBoundingClientRect().top + 10;
        const pre = document.querySelector('.code pre');
        // Which drawn text line sits at that height: walk the text and measure its line boxes.
        const walker = document.createTreeWalker(pre, NodeFilter.SHOW_TEXT);
        const r = document.createRange();
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
          let start = 0;
          const value = node.textContent;
          while (start < value.length) {
            const end = value.indexOf('\n', start);
            const stop = end === -1 ? value.length : end;
            if (stop > start) {
              r.setStart(node, start);
              r.setEnd(node, stop);
              const box = r.getBoundingClientRect();
              if (box.top <= y && y <= box.bottom) return value.slice(start, stop);
            }
            start = stop + 1;
          }
        }
        return `nothing drawn at height ${y}`;
      });
      expect(rows.includes('"Sid": "S998"'), `line 1000 shows statement S998: ${rows.slice(0, 40)}`);
      await shot('long-paste-middle');
    },
  },
];
