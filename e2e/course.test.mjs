// The course companion, driven like a student: the lecture tour end to end with its
// predictions (one answered wrong), an exercise solved by typing in the editor, and an edit the
// exercise does not allow, refused. The whole suite runs from a sub-folder (/courses/kms/), as a
// course site hosts the app.
import { select, until } from './helpers.mjs';

// What each tour step's prediction is, in order (the engine's answers; tests/app/course.rs pins them).
const ANSWERS = ['implicit', 'allow', 'implicit', 'explicit', 'implicit', 'allow', 'implicit', 'implicit'];
const WRONG_AT = 3;

async function text(page, selector) {
  return (await page.textContent(selector)).trim();
}

/**
 * Selects `needle` in the open editor and types `replacement` over it: key by key, or (`paste`)
 * in one input, as pasting does, so the editor's closing of brackets and quotes stays out of it.
 */
async function retype(page, needle, replacement, paste = false) {
  await page.click('#policy-editor');
  const found = await page.$eval(
    '#policy-editor',
    (area, needle) => {
      const at = area.value.indexOf(needle);
      if (at >= 0) area.setSelectionRange(at, at + needle.length);
      return at;
    },
    needle,
  );
  if (found < 0) throw new Error(`${needle} is not in the editor`);
  if (paste) await page.keyboard.insertText(replacement);
  else await page.keyboard.type(replacement);
}

export default [
  {
    name: 'the lecture tour from first step to last, one prediction wrong',
    run: async ({ page, baseUrl, expect, shot }) => {
      await page.goto(`${baseUrl}#tour`);
      await page.waitForSelector('#tour');
      for (let step = 0; step < ANSWERS.length; step += 1) {
        await until(page, async (p) => (await text(p, '#tour-position')) === `Step ${step + 1} of ${ANSWERS.length}`, `step ${step + 1}`);
        // The question comes first; the answer is not on the page yet.
        expect(!(await page.$('#prediction-result')), `step ${step + 1} reveals before the answer`);
        const wrong = step === WRONG_AT;
        const choice = wrong ? 'implicit' : ANSWERS[step];
        await page.click(`#predict-${choice}`);
        await page.waitForSelector('#prediction-result');
        const result = await text(page, '#prediction-result');
        if (wrong) {
          expect(result.startsWith('Not this time'), `step ${step + 1}: ${result}`);
          expect(result.includes('What decides it') && result.includes('explicit Deny'), `the rule is shown: ${result}`);
          await shot('tour-wrong-prediction');
          // The cell asked about is revealed in the Why panel.
          expect((await text(page, '#tab-why')).includes('David'), 'the why tab explains David x CMK-C');
        } else {
          expect(result.startsWith('Right'), `step ${step + 1}: ${result}`);
        }
        if (step === 2) {
          // The position survives a reload.
          await page.reload();
          await page.waitForSelector('#tour');
          expect((await text(page, '#tour-position')) === 'Step 3 of 8', 'reload keeps the step');
          expect(page.url().endsWith('#tour=3'), `url ${page.url()}`);
        }
        if (step < ANSWERS.length - 1) {
          if (step % 2 === 0) {
            await page.click('#tour-next');
          } else {
            // The keyboard moves on too.
            await page.focus('#tour');
            await page.keyboard.press('ArrowRight');
          }
        }
      }
      // The reload at step 3 kept the place, not the answers: five answered since, one wrong.
      expect((await text(page, '#tour-score')) === 'Score 4/5', `score ${await text(page, '#tour-score')}`);
      await page.click('#tour-back');
      await until(page, async (p) => (await text(p, '#tour-position')) === 'Step 7 of 8', 'back one step');
    },
  },
  {
    name: 'at 1440 x 900 the tour leaves the cell it asks about in view, with its explanation',
    run: async ({ page, baseUrl, expect, shot }) => {
      await page.goto(`${baseUrl}#tour`);
      await page.waitForSelector('#tour');
      await page.click('#predict-allow');
      await page.waitForSelector('#prediction-result');
      const seen = await page.evaluate(() => {
        const inside = (r, box) => r.top >= box.top && r.bottom <= box.bottom && r.left >= box.left && r.right <= box.right;
        const cell = document.querySelector('td[data-tour-cell]').getBoundingClientRect();
        const wrap = document.querySelector('.matrix-wrap').getBoundingClientRect();
        const drawer = document.querySelector('.drawer').getBoundingClientRect();
        const screen = { top: 0, left: 0, bottom: window.innerHeight, right: window.innerWidth };
        return { cell: inside(cell, wrap) && inside(cell, screen) && cell.bottom <= drawer.top, answer: inside(document.querySelector('#prediction-result').getBoundingClientRect(), screen) };
      });
      expect(seen.cell, 'the cell asked about is visible in the matrix, above the drawer');
      expect(seen.answer, 'the answer is visible');
      await shot('tour-wide');
    },
  },
  {
    name: 'an exercise solved by typing in the editor',
    run: async ({ page, baseUrl, expect, shot }) => {
      await page.goto(`${baseUrl}#exercise=context-condition`);
      await page.waitForSelector('#exercise');
      expect((await text(page, '#exercise-progress')) === '2 of 3 goals met', await text(page, '#exercise-progress'));
      const goals = await text(page, '#goal-list');
      expect(goals.includes('would apply, but its condition does not hold'), `the hint names the near miss: ${goals}`);
      await select(page, 'Ledger');
      await retype(page, 'department', 'dep');
      // Each keystroke re-checks the goals; half-way the policy still misses.
      expect(!(await page.$('#exercise-solved')), 'not solved half-way');
      await page.keyboard.type('t');
      await page.waitForSelector('#exercise-solved');
      await shot('exercise-solved');
    },
  },
  {
    name: 'an edit outside what the exercise allows is refused',
    run: async ({ page, baseUrl, expect }) => {
      await page.goto(`${baseUrl}#exercise=deny-wins`);
      await page.waitForSelector('#exercise');
      await select(page, 'David');
      const before = await page.inputValue('#policy-editor');
      await retype(page, 'kms:*', 'kms:Encrypt');
      await page.waitForSelector('#notice');
      const notice = await text(page, '#notice');
      expect(notice.includes('does not let you change the IAM policies of David'), notice);
      expect((await page.inputValue('#policy-editor')) === before, 'the document is unchanged');
      // The key policy is the student's to change.
      await select(page, 'CMK-C');
      await retype(page, '"Resource": "*"\n    }\n  ]', '"Resource": "*"\n    },\n    {"Effect": "Deny", "Principal": {"AWS": "arn:aws:iam::111122223333:user/David"}, "Action": "kms:*", "Resource": "*"}\n  ]', true);
      await page.waitForSelector('#exercise-solved');
    },
  },
];
