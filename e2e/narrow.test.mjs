// The playground on a phone-sized screen (390 × 844): nothing scrolls the page sideways, the
// matrix scrolls inside its own box, and the create-key wizard can be finished.

import { open, keyNames, cellWord, until } from './helpers.mjs';

const PHONE = { width: 390, height: 844 };

/** Whether the page itself scrolls sideways. */
async function scrollsSideways(page) {
  return page.evaluate(() => document.documentElement.scrollWidth > document.documentElement.clientWidth);
}

export default [
  {
    name: 'at 390 px the page never scrolls sideways and the matrix scrolls inside itself',
    viewport: PHONE,
    run: async ({ page, baseUrl, expect, shot }) => {
      await open(page, baseUrl);
      expect(!(await scrollsSideways(page)), 'no sideways scroll on the matrix view');
      const wrap = await page.$eval('.matrix-wrap', (w) => ({ client: w.clientWidth, scroll: w.scrollWidth, right: w.getBoundingClientRect().right }));
      expect(wrap.right <= PHONE.width + 1, `the matrix box fits the screen: ${JSON.stringify(wrap)}`);
      await shot('narrow-matrix');
      await page.click('#pane-editor');
      expect(await page.isVisible('#policy-editor'), 'the editor is one tab away');
      expect(!(await scrollsSideways(page)), 'no sideways scroll on the editor');
      await page.click('#pane-matrix');
      for (const tab of ['#tab-why', '#tab-grants', '#tab-crypto', '#tab-console']) {
        await page.click(tab);
        expect(!(await scrollsSideways(page)), `no sideways scroll with ${tab} open`);
      }
      // Tapping a cell brings its answer on screen: the details sit below the matrix here.
      await page.evaluate(() => window.scrollTo(0, 0));
      await page.click('#cell-0-0');
      await page.waitForSelector('#why-verdict');
      await until(page, (p) => p.$eval('#why-verdict', (v) => {
        const r = v.getBoundingClientRect();
        return r.top >= 0 && r.bottom <= window.innerHeight;
      }), 'the why verdict scrolled into view');
      expect(!(await scrollsSideways(page)), 'no sideways scroll with the why panel');
      await shot('narrow-why');
    },
  },
  {
    name: 'at 390 px the create-key wizard can be finished',
    viewport: PHONE,
    run: async ({ page, baseUrl, expect, shot }) => {
      await open(page, baseUrl);
      const root = await page.$eval('#caller', (el) => [...el.options].find((o) => o.textContent.startsWith('root')).value);
      await page.selectOption('#caller', root);
      // The lists are one tab away on a phone.
      await page.click('#pane-lists');
      expect(!(await scrollsSideways(page)), 'no sideways scroll on the lists');
      await page.click('#create-key');
      await page.waitForSelector('#wizard');
      await page.click('#wizard-next');
      await page.fill('#wizard-alias', 'PhoneKey');
      await page.click('#wizard-next');
      await page.check('input[aria-label="Key administrator: Alice"]');
      await shot('narrow-wizard');
      expect(!(await scrollsSideways(page)), 'no sideways scroll in the wizard');
      await page.click('#wizard-next');
      await page.check('input[aria-label="Key user: Charlie"]');
      await page.click('#wizard-next');
      await page.click('#wizard-next');
      await page.click('#wizard-finish');
      await page.waitForSelector('#created-key');
      expect((await keyNames(page)).includes('PhoneKey'), 'the new key is a column');
      expect((await cellWord(page, 'Charlie', 'PhoneKey')) === 'Allow', 'its user may use it');
    },
  },
  {
    name: 'at 390 px each tour step keeps its question in view and the focus on the tour',
    viewport: PHONE,
    run: async ({ page, baseUrl, expect, shot }) => {
      await page.goto(`${baseUrl}#tour`);
      await page.waitForSelector('#tour');
      for (let step = 1; step <= 3; step += 1) {
        await until(page, async (p) => (await p.textContent('#tour-position')) === `Step ${step} of 8`, `step ${step}`);
        const view = await page.evaluate(() => {
          const button = document.querySelector('[id^="predict-"]').getBoundingClientRect();
          return {
            buttonInView: button.top >= 0 && button.bottom <= window.innerHeight,
            focusInEditor: document.activeElement?.tagName === 'TEXTAREA',
          };
        });
        expect(view.buttonInView, `step ${step}: the prediction buttons are in view`);
        expect(!view.focusInEditor, `step ${step}: the focus did not jump to the editor`);
        if (step === 1) await shot('narrow-tour-step');
        await page.click('#predict-allow');
        await page.waitForSelector('#prediction-result');
        await page.click('#tour-next');
      }
    },
  },
];
