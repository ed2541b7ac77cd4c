// The why panel as a workbench: the request a decision depends on, edited and decided live; the
// walk copied; a link that opens the same cell and request; the decision pinned as a test.
import { open, select, until } from './helpers.mjs';

const ACCOUNT = '111122223333';

/** CMK-B's policy: Alice may encrypt and decrypt only with the encryption context dept=eng. */
async function alicesContextPolicy(page) {
  await select(page, 'CMK-B');
  await page.fill('#policy-editor', JSON.stringify({
    Version: '2012-10-17',
    Statement: [{
      Sid: 'AliceWithContext',
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/Alice` },
      Action: ['kms:Encrypt', 'kms:Decrypt'],
      Resource: '*',
      Condition: { StringEquals: { 'kms:EncryptionContext:dept': 'eng' } },
    }],
  }, null, 2));
}

export default [
  {
    name: 'an encryption context typed in Why re-decides the cell, and a link reopens the same request',
    run: async ({ page, context, baseUrl, expect, newContext }) => {
      await context.grantPermissions(['clipboard-read', 'clipboard-write']);
      await open(page, baseUrl);
      await alicesContextPolicy(page);
      await page.click('#cell-0-1');
      await page.waitForSelector('#why-verdict');
      expect((await page.textContent('#why-verdict')).includes('DENIED'), 'the bare request is denied');
      await page.click('#why-request summary');
      await page.click('#why-context button:text-is("Add pair")');
      await page.fill('input[aria-label="context pair 1 key"]', 'dept');
      await page.fill('input[aria-label="context pair 1 value"]', 'eng');
      await until(page, async (p) => (await p.textContent('#why-verdict')).includes('ALLOWED'), 'allowed with the context');
      expect(await page.isVisible('#why-custom'), 'the panel says the matrix decides without it');
      await page.click('#why-copy-markdown');
      const markdown = await page.evaluate(() => navigator.clipboard.readText());
      expect(markdown.startsWith('### Why: Alice × CMK-B') && markdown.includes('**ALLOWED**'), `copied: ${markdown.slice(0, 80)}`);
      await page.click('#why-link');
      const link = await page.inputValue('#share-link');
      expect(link.includes('&at='), `the link names the cell: ${link.slice(-40)}`);
      const other = await newContext();
      try {
        const fresh = await other.newPage();
        await open(fresh, link);
        await fresh.waitForSelector('#why-verdict');
        expect((await fresh.textContent('#tab-why')).includes('Alice × CMK-B'), 'the same cell');
        expect((await fresh.textContent('#why-verdict')).includes('ALLOWED'), 'the same request, decided the same');
      } finally {
        await other.close();
      }
    },
  },
  {
    name: 'the selected cell becomes a test that fails as soon as an edit changes it',
    run: async ({ page, baseUrl, expect }) => {
      await open(page, baseUrl);
      await page.click('#cell-0-0');
      await page.waitForSelector('#why-verdict');
      await page.click('#why-add-expectation');
      await page.waitForSelector('#expectations');
      const summary = async () => (await page.textContent('#expectations-summary')).match(/(\d+) of (\d+) pass/).slice(1).map(Number);
      const [passed, total] = await summary();
      expect(passed === total && total >= 1, `all pass: ${passed}/${total}`);
      // Alice loses CMK-A: the new expectation fails while typing, before any save.
      await select(page, 'CMK-A');
      await page.fill('#policy-editor', JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/Bob` }, Action: 'kms:*', Resource: '*' }],
      }));
      await until(page, async () => { const [p, t] = await summary(); return p < t; }, 'a test fails');
      expect(await page.isVisible('#expectations li.fail'), 'the failing entry is marked');
    },
  },
];
