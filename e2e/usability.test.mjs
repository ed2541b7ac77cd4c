// What got in the way of a new user, driven the way they met it: buttons that submit forms, inputs
// that lose focus, a caller picker out of step, unreadable selections and hovers, raw times, and
// smaller slips in the panels and the why panel.
import { open, select, until, chooseCaller, loadPreset } from './helpers.mjs';

const ACCOUNT = '111122223333';

/** The caller the picker shows, by the text of its selected option. */
async function pickerCaller(page) {
  return page.$eval('#caller', (el) => el.options[el.selectedIndex]?.textContent ?? '');
}

/** Opens a drawer tab (a second click on an open tab would close the drawer). */
async function openTab(page, id) {
  if ((await page.getAttribute(id, 'aria-selected')) !== 'true') await page.click(id);
}

/** As Alice in demo 1, grants Bob Encrypt and Decrypt; returns the token shown. */
async function aliceGrantsBob(page) {
  await chooseCaller(page, 'Alice');
  await openTab(page, '#tab-grants');
  const bob = await page.$eval('#grant-grantee', (el) => [...el.options].find((o) => o.textContent.startsWith('Bob')).value);
  await page.selectOption('#grant-grantee', bob);
  await page.click('#create-grant');
  await page.waitForSelector('#grant-token');
  return page.getAttribute('#grant-token', 'data-token');
}

/** WCAG relative luminance contrast of two CSS `rgb()` / `rgba()` colours (the first opaque). */
function contrast(fg, bg) {
  const channels = (c) => c.match(/[\d.]+/g).slice(0, 3).map(Number);
  const luminance = (c) => {
    const [r, g, b] = channels(c).map((v) => {
      const s = v / 255;
      return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const [a, b] = [luminance(fg), luminance(bg)].sort((x, y) => y - x);
  return (a + 0.05) / (b + 0.05);
}

/** Goes through the wizard's first two steps with `alias`, typed key by key. */
async function wizardToLabels(page, alias) {
  await page.click('#create-key');
  await page.waitForSelector('#wizard');
  await page.click('#wizard-next');
  await page.click('#wizard-alias');
  await page.keyboard.type(alias);
}

export default [
  {
    name: 'Copy id and Copy token copy, and create no second grant',
    run: async ({ page, context, baseUrl, expect }) => {
      await context.grantPermissions(['clipboard-read', 'clipboard-write']);
      await open(page, baseUrl);
      await loadPreset(page, 'demo1');
      const token = await aliceGrantsBob(page);
      expect((await page.textContent('#tab-grants')).trim() === 'Grants 1', 'one grant');
      await page.click('#grant-result button:text-is("Copy id")');
      await page.click('#grant-result button:text-is("Copy token")');
      expect(await page.evaluate(() => navigator.clipboard.readText()) === token, 'the token on screen was copied');
      expect((await page.textContent('#tab-grants')).trim() === 'Grants 1', `still one grant: ${await page.textContent('#tab-grants')}`);
      expect((await page.getAttribute('#grant-token', 'data-token')) === token, 'the token shown is the one copied');
    },
  },
  {
    name: "the wizard's alias keeps focus while its message comes and goes; a rejected name stays typed",
    run: async ({ page, baseUrl, expect }) => {
      await open(page, baseUrl);
      await chooseCaller(page, `root (${ACCOUNT})`);
      await page.click('#create-key');
      await page.waitForSelector('#wizard');
      await page.click('#wizard-next');
      expect(!(await page.isVisible('#wizard .content .err')), 'no "Alias is required." before anything is typed');
      await page.click('#wizard-alias');
      await page.keyboard.type('DemoKey2');
      expect((await page.inputValue('#wizard-alias')) === 'DemoKey2', `typed ${await page.inputValue('#wizard-alias')}`);
      for (let i = 0; i < 8; i += 1) await page.keyboard.press('Backspace');
      await page.waitForSelector('#wizard .content .err');
      await page.keyboard.type('X');
      expect((await page.inputValue('#wizard-alias')) === 'X', 'focus stayed while the message came and went');
      await page.click('#wizard-cancel');
      // The sidebar's add-principal form keeps a name the model rejects.
      await page.click('#add-principal');
      await page.fill('#new-principal-name', 'no spaces allowed');
      await page.click('form[aria-label="Add a principal"] button[type="submit"]');
      await page.waitForSelector('#notice.error');
      expect((await page.inputValue('#new-principal-name')) === 'no spaces allowed', 'the rejected name is kept');
    },
  },
  {
    name: 'the caller picker and the panels act as the same caller across scenario loads',
    run: async ({ page, baseUrl, expect }) => {
      await open(page, baseUrl);
      await chooseCaller(page, 'Bob');
      await loadPreset(page, 'demo2');
      await loadPreset(page, 'lecture');
      await page.click('#tab-grants');
      const heading = await page.textContent('#grants-panel h3');
      const shown = await pickerCaller(page);
      const acting = heading.replace('Create a grant as ', '');
      expect(shown.startsWith(acting), `picker shows "${shown}", the grants panel acts as "${acting}"`);
      expect((await page.textContent('#notice')).includes(`Caller: ${acting}`), 'loading says who the caller is now');
    },
  },
  {
    name: 'selected text in the editor stays readable',
    run: async ({ page, baseUrl, expect }) => {
      await open(page, baseUrl);
      for (const theme of ['light', 'dark']) {
        await page.selectOption('#theme', theme);
        const style = await page.$eval('#policy-editor', (t) => {
          const s = getComputedStyle(t, '::selection');
          return { background: s.backgroundColor, fill: s.webkitTextFillColor };
        });
        const alpha = Number((style.background.match(/rgba\([^)]*,\s*([\d.]+)\)/) ?? [])[1] ?? 1);
        // The textarea's text is transparent over the highlighted layer: its selection must let
        // that layer show through.
        expect(alpha > 0.1 && alpha < 0.7, `${theme}: selection background ${style.background} lets the text through`);
      }
    },
  },
  {
    name: 'Replay demo 1 starts again from demo 1 even when demo 1 is loaded',
    run: async ({ page, baseUrl, expect }) => {
      await open(page, baseUrl);
      await loadPreset(page, 'demo1');
      await aliceGrantsBob(page);
      expect((await page.textContent('#tab-grants')).trim() === 'Grants 1', 'a grant exists before the replay');
      await page.click('#tab-console');
      await page.click('#replay-demo1');
      await until(page, async (p) => (await p.textContent('#tab-grants')).trim() === 'Grants 0', 'the replay starts from demo 1 again');
      await page.click('#replay-demo1'); // stop
      await until(page, async (p) => (await p.textContent('#replay-demo1')) === 'Replay demo 1', 'stopped');
    },
  },
  {
    name: 'Ctrl+S and Alt+Shift+digits are handled without the browser acting too',
    run: async ({ page, baseUrl, expect }) => {
      const warnings = [];
      page.on('console', (m) => { if (m.text().includes('preventDefault')) warnings.push(m.text()); });
      await open(page, baseUrl);
      await page.evaluate(() => {
        window.prevented = [];
        window.addEventListener('keydown', (e) => {
          if (!['Control', 'Alt', 'Shift', 'Meta'].includes(e.key)) window.prevented.push(e.defaultPrevented);
        });
      });
      await page.click('#matrix th');
      await page.keyboard.press('Control+s');
      await page.waitForSelector('#notice:has-text("Saved")');
      await page.keyboard.press('Alt+Shift+2');
      await until(page, async (p) => (await p.evaluate(() => document.activeElement.id)) === 'policy-editor', 'the editor has focus');
      const prevented = await page.evaluate(() => window.prevented);
      expect(prevented.length >= 2 && prevented.every(Boolean), `default prevented: ${prevented}`);
      expect(warnings.length === 0, `no passive-listener warnings: ${warnings}`);
    },
  },
  {
    name: 'primary buttons stay readable on hover in both themes',
    run: async ({ page, baseUrl, expect }) => {
      await open(page, baseUrl);
      await page.click('#tab-grants');
      for (const theme of ['light', 'dark']) {
        await page.selectOption('#theme', theme);
        await page.hover('#create-grant');
        const colours = await page.$eval('#create-grant', (b) => {
          const s = getComputedStyle(b);
          return [s.color, s.backgroundColor];
        });
        const ratio = contrast(...colours);
        expect(ratio >= 4.5, `${theme}: hovered Create grant ${colours.join(' on ')} has contrast ${ratio.toFixed(2)}`);
      }
    },
  },
  {
    name: 'simulated times read as T+ or ISO times, never raw milliseconds',
    run: async ({ page, baseUrl, expect }) => {
      await open(page, baseUrl);
      await loadPreset(page, 'demo1');
      await aliceGrantsBob(page);
      const clock = await page.textContent('#clock');
      expect(!/\d{9,}/.test(clock), `clock chip: ${clock}`);
      await page.click('#cell-1-0');
      await page.waitForSelector('#why-verdict');
      const why = await page.textContent('#why-panel');
      expect(!/\d{9,} ?ms/.test(why), `why panel shows no raw milliseconds: ${why.match(/.{40}\d{9,}.{10}/)}`);
      expect(/consistent at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/.test(why), 'the consistency time is an ISO time');
    },
  },
  {
    name: 'the completion list fits inside the editor near its bottom edge',
    run: async ({ page, baseUrl, expect }) => {
      await open(page, baseUrl);
      await select(page, 'CMK-A');
      const rows = await page.$eval('#policy-editor', (t) => Math.floor(t.clientHeight / 20));
      const text = `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Resource": "*",${'\n'.repeat(rows - 2)}"Action": "kms:"}]}`;
      await page.fill('#policy-editor', text);
      const caret = text.indexOf('kms:"') + 4;
      await page.$eval('#policy-editor', (t, at) => { t.focus(); t.setSelectionRange(at, at); }, caret);
      await page.keyboard.press('Control+Space');
      await page.waitForSelector('.completion');
      const rect = (selector) => page.$eval(selector, (e) => e.getBoundingClientRect().toJSON());
      const [list, code] = [await rect('.completion'), await rect('.code')];
      expect(list.bottom <= code.bottom + 1 && list.top >= code.top - 1, `list ${JSON.stringify(list)} inside the editor ${JSON.stringify(code)}`);
      expect(list.right <= code.right + 1, 'not cut at the right edge');
    },
  },
  {
    name: 'wizard: tags are checked as AWS checks them and shown in the review',
    run: async ({ page, baseUrl, expect }) => {
      await open(page, baseUrl);
      await chooseCaller(page, `root (${ACCOUNT})`);
      await wizardToLabels(page, 'Tagged');
      await page.click('#wizard button:text-is("Add tag")');
      await page.fill('input[aria-label="Tag 1 key"]', 'team#1');
      await page.fill('input[aria-label="Tag 1 value"]', 'blue');
      await page.waitForSelector('#wizard .content .err:has-text("Tag 1")');
      expect(await page.isDisabled('#wizard-next'), 'Next waits for a valid tag key');
      await page.fill('input[aria-label="Tag 1 key"]', 'team:a_b.c/d=e+f-g@h i');
      await until(page, async (p) => !(await p.isDisabled('#wizard-next')), 'the allowed characters pass');
      for (let step = 2; step < 6; step += 1) await page.click('#wizard-next');
      const review = await page.textContent('#wizard-review');
      expect(review.includes('Tags') && review.includes('team:a_b.c/d=e+f-g@h i=blue'), `review lists the tags: ${review}`);
    },
  },
  {
    name: 'grants panel: root reads once, Retire errors show by the list',
    run: async ({ page, baseUrl, expect }) => {
      await open(page, baseUrl);
      await page.click('#tab-grants');
      const options = await page.$$eval('#grant-grantee option', (os) => os.map((o) => o.textContent));
      expect(options.includes(`root (${ACCOUNT})`), `root is offered as "root (${ACCOUNT})": ${options}`);
      expect(!options.some((o) => o.endsWith('(root)')), `no "(root)" twice: ${options}`);
      await loadPreset(page, 'demo1');
      await aliceGrantsBob(page);
      // Bob may not retire the grant (it does not list RetireGrant and names no retiring
      // principal): the refusal shows beside the grant, not under the create form.
      await chooseCaller(page, 'Bob');
      await page.click('.grant-list button:text-is("Retire")');
      await page.waitForSelector('#grant-list-result .refusal');
      expect(!(await page.isVisible('form[aria-label="Create a grant"] .refusal')), 'nothing under the create form');
    },
  },
  {
    name: 'Undo names the removed key',
    run: async ({ page, baseUrl, expect }) => {
      await open(page, baseUrl);
      await select(page, 'CMK-C');
      await page.click('button[aria-label="Remove CMK-C"]');
      await until(page, async (p) => !(await p.$('.sidebar .name:text-is("CMK-C")')), 'CMK-C removed');
      const title = await page.getAttribute('#undo', 'title');
      expect(title.includes('CMK-C'), `undo tooltip names the key: ${title}`);
    },
  },
  {
    name: 'the wizard says at step 1 when the caller may not CreateKey',
    run: async ({ page, baseUrl, expect }) => {
      await open(page, baseUrl);
      await chooseCaller(page, 'Bob');
      await page.click('#create-key');
      await page.waitForSelector('#wizard');
      const warning = await page.textContent('#wizard-caller-denied');
      expect(warning.includes('kms:CreateKey') && warning.includes('Bob'), `step 1 warns: ${warning}`);
    },
  },
  {
    name: 'why says a statement names the caller but its condition fails',
    run: async ({ page, baseUrl, expect }) => {
      await open(page, baseUrl);
      await select(page, 'CMK-B');
      await page.fill('#policy-editor', JSON.stringify({
        Version: '2012-10-17',
        Statement: [{
          Sid: 'AliceWithContext',
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/Alice` },
          Action: 'kms:*',
          Resource: '*',
          Condition: { StringEquals: { 'kms:EncryptionContext:dept': 'eng' } },
        }],
      }, null, 2));
      await page.click('#cell-0-1');
      await page.waitForSelector('#why-verdict');
      const steps = await page.textContent('#why-panel ol.steps');
      expect(!steps.includes('none names Alice'), `no "none names Alice": ${steps}`);
      expect(steps.includes('AliceWithContext') && /condition/i.test(steps), `the condition is named: ${steps}`);
    },
  },
];
