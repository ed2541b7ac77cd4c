// HMAC keys as a person meets them: the create-key wizard's key type and usage choices, a MAC
// generated and verified in the crypto panel (KMS API Reference, GenerateMac and VerifyMac: a
// changed message fails with KMSInvalidMacException), and the new key's matrix column, which
// counts only the MAC actions an HMAC key supports (KMS Developer Guide, symm-asymm-compare.html).
import { open, keyNames, cellWord, chooseCaller, until } from './helpers.mjs';

const ACCOUNT = '111122223333';

export default [
  {
    name: 'an HMAC key from the wizard generates and verifies MACs, and a changed message fails',
    run: async ({ page, baseUrl, expect, shot }) => {
      await open(page, baseUrl);
      await chooseCaller(page, `root (${ACCOUNT})`);
      await page.click('#create-key');
      await page.waitForSelector('#wizard');
      // The browser build has no asymmetric keys: the console's Asymmetric choice is shown
      // disabled, with where to find them.
      expect(await page.isDisabled('#key-type-asymmetric'), 'the asymmetric key type cannot be picked in the browser build');
      expect((await page.textContent('#asymmetric-note')).includes('kmsplay'), 'the note says where asymmetric keys are');
      await page.check('input[name="key-usage"][value="GENERATE_VERIFY_MAC"]');
      const specs = await page.$$eval('input[name="key-spec"]', (inputs) => inputs.map((i) => i.value));
      expect(JSON.stringify(specs) === JSON.stringify(['HMAC_224', 'HMAC_256', 'HMAC_384', 'HMAC_512']), `HMAC specs ${specs}`);
      await page.check('input[name="key-spec"][value="HMAC_256"]');
      await shot('wizard-hmac');
      await page.click('#wizard-next');
      await page.fill('#wizard-alias', 'MacKey');
      await page.click('#wizard-next');
      await page.click('#wizard-next');
      await page.check('input[aria-label="Key user: Charlie"]');
      await page.click('#wizard-next');
      await page.waitForSelector('#wizard-policy');
      await page.click('#wizard-next');
      const review = await page.textContent('#wizard-review');
      expect(review.includes('Generate and verify MAC') && review.includes('HMAC_256') && review.includes('GENERATE_VERIFY_MAC'), `review: ${review}`);
      const policy = JSON.parse(await page.textContent('#wizard-policy-review'));
      const use = policy.Statement.find((s) => s.Sid === 'Allow use of the key');
      // KMS Developer Guide, hmac-authz.html: key users generate and verify MACs.
      expect(JSON.stringify(use.Action) === JSON.stringify(['kms:GenerateMac', 'kms:VerifyMac', 'kms:DescribeKey']), `users: ${use.Action}`);
      await page.click('#wizard-finish');
      await page.waitForSelector('#created-key');
      expect((await keyNames(page)).includes('MacKey'), 'the new key is a matrix column');
      // The scenario's columns are Encrypt and Decrypt, which an HMAC key does not do.
      expect((await cellWord(page, 'Charlie', 'MacKey')) === 'n/a', 'Encrypt and Decrypt do not apply to an HMAC key');
      await page.selectOption('#action-picker', 'group:cryptographic');
      await until(page, async (p) => (await cellWord(p, 'Charlie', 'MacKey')) !== 'n/a', 'the cryptographic group');
      const charlie = await cellWord(page, 'Charlie', 'MacKey');
      const alice = await cellWord(page, 'Alice', 'MacKey');
      expect(charlie !== 'None' && charlie !== 'Deny', `a key user may generate and verify MACs: ${charlie}`);
      expect(alice === 'None', `Alice has nothing on it: ${alice}`);
      // The cell counts the MAC actions only: its tooltip names them, not Encrypt.
      const title = await page.$eval(
        `#matrix tbody tr:has(th button:text-is("Charlie")) td:nth-of-type(${(await keyNames(page)).indexOf('MacKey') + 1})`,
        (td) => td.getAttribute('title') ?? td.textContent,
      );
      expect(!/Encrypt/.test(title ?? ''), `no encryption in the HMAC key's cell: ${title}`);

      // The crypto panel, as Charlie.
      await page.keyboard.press('Escape');
      await chooseCaller(page, 'Charlie');
      await page.click('#tab-crypto');
      await page.fill('#crypto-key', 'alias/MacKey');
      await page.waitForSelector('#generate-mac');
      expect((await page.$('#encrypt')) === null, 'an HMAC key is not offered Encrypt');
      const algorithms = await page.$$eval('#mac-algorithm option', (o) => o.map((x) => x.value));
      expect(JSON.stringify(algorithms) === '["HMAC_SHA_256"]', `algorithms ${algorithms}`);
      await page.fill('#crypto-plaintext', 'pay 100 to Bob');
      await page.click('#generate-mac');
      await page.waitForSelector('#generated-mac');
      const mac = await page.textContent('#generated-mac');
      expect(mac.length === 44, `a 32-byte HMAC in base64: ${mac}`);
      await page.click('#verify-mac');
      await until(page, async (p) => (await p.$('#mac-valid')) !== null, 'MacValid');
      expect((await page.textContent('#mac-valid')) === 'true', 'MacValid true');
      await page.fill('#crypto-plaintext', 'pay 900 to Bob');
      await page.click('#verify-mac');
      await until(page, async (p) => (await p.textContent('#crypto-result')).includes('KMSInvalidMacException'), 'the AWS error');
      const error = await page.textContent('#crypto-result');
      expect(error.includes('when calling the VerifyMac operation'), `the AWS CLI's line: ${error}`);
      await shot('crypto-hmac');
      // Back to a symmetric key: encryption again, no MAC buttons.
      const other = await page.$$eval('#crypto-keys option', (o) =>
        o.map((x) => x.value).find((v) => v.startsWith('alias/') && v !== 'alias/MacKey'));
      if (other) {
        await page.fill('#crypto-key', other);
        await page.waitForSelector('#encrypt');
        expect((await page.$('#generate-mac')) === null, 'a symmetric key is not offered GenerateMac');
      }
    },
  },
];
