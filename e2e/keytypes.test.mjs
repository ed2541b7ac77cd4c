// HMAC and asymmetric keys as a person meets them: the create-key wizard's key type and usage choices, a MAC
// generated and verified in the crypto panel (KMS API Reference, GenerateMac and VerifyMac: a
// changed message fails with KMSInvalidMacException), and the new key's matrix column, which
// counts only the MAC actions an HMAC key supports (KMS Developer Guide, symm-asymm-compare.html).
import { open, keyNames, cellWord, chooseCaller, until } from './helpers.mjs';

const ACCOUNT = '111122223333';

export default [
  {
    name: 'an HMAC key from the wizard generates and verifies MACs, and a changed message fails',
    run: async ({ page, baseUrl, expect, shot }) => {
      let asymmetricRequested = false;
      page.on('request', (request) => {
        if (request.url().includes('kms-asymmetric')) asymmetricRequested = true;
      });
      await open(page, baseUrl);
      await chooseCaller(page, `root (${ACCOUNT})`);
      await page.click('#create-key');
      await page.waitForSelector('#wizard');
      // A symmetric key needs no RSA or elliptic-curve code: none was loaded.
      expect(!asymmetricRequested, 'the asymmetric module is not loaded for a symmetric key');
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
  {
    // KMS API Reference, Sign, Verify and GetPublicKey; KMS Developer Guide,
    // asymmetric-key-specs.html (ECC_NIST_P256 signs with ECDSA_SHA_256). The RSA and
    // elliptic-curve code is a module of its own, fetched when the key type is chosen.
    name: 'an elliptic-curve key from the wizard signs, verifies and hands out its public key',
    run: async ({ page, baseUrl, expect, shot }) => {
      const fetched = [];
      page.on('request', (request) => {
        if (request.url().includes('kms-asymmetric')) fetched.push(request.url());
      });
      await open(page, baseUrl);
      expect(fetched.length === 0, `nothing asymmetric loads with the lecture: ${fetched}`);
      await chooseCaller(page, `root (${ACCOUNT})`);
      await page.click('#create-key');
      await page.waitForSelector('#wizard');
      await page.check('#key-type-asymmetric');
      await until(page, async () => fetched.some((u) => u.endsWith('.wasm')), 'the asymmetric module is fetched');
      await page.check('input[name="key-usage"][value="SIGN_VERIFY"]');
      await page.check('input[name="key-spec"][value="ECC_NIST_P256"]');
      await shot('wizard-ecc');
      await page.click('#wizard-next');
      await page.fill('#wizard-alias', 'SigningKey');
      await page.click('#wizard-next');
      await page.click('#wizard-next');
      await page.check('input[aria-label="Key user: Charlie"]');
      await page.click('#wizard-next');
      await page.waitForSelector('#wizard-policy');
      await page.click('#wizard-next');
      const policy = JSON.parse(await page.textContent('#wizard-policy-review'));
      const use = policy.Statement.find((s) => s.Sid === 'Allow use of the key');
      // KMS Developer Guide, key-policy-default.html: users of a signing key sign and verify.
      expect(use.Action.includes('kms:Sign') && use.Action.includes('kms:Verify') && use.Action.includes('kms:GetPublicKey'), `users: ${use.Action}`);
      await page.click('#wizard-finish');
      await page.waitForSelector('#created-key');
      expect((await keyNames(page)).includes('SigningKey'), 'the new key is a matrix column');
      await page.keyboard.press('Escape');

      await chooseCaller(page, 'Charlie');
      await page.click('#tab-crypto');
      await page.fill('#crypto-key', 'alias/SigningKey');
      await page.waitForSelector('#sign');
      const algorithms = await page.$$eval('#signing-algorithm option', (o) => o.map((x) => x.value));
      expect(JSON.stringify(algorithms) === '["ECDSA_SHA_256"]', `algorithms ${algorithms}`);
      await page.fill('#crypto-plaintext', 'release 1.4.2');
      await page.click('#sign');
      await page.waitForSelector('#signature-made');
      const signature = await page.inputValue('#signature');
      // A DER ECDSA-Sig-Value over P-256: 70 to 72 bytes, base64.
      expect(signature.length >= 92 && signature.length <= 96, `a DER ECDSA signature: ${signature}`);
      await page.click('#verify');
      await until(page, async (p) => (await p.$('#signature-valid')) !== null, 'SignatureValid');
      expect((await page.textContent('#signature-valid')) === 'true', 'SignatureValid true');
      await page.fill('#crypto-plaintext', 'release 1.4.3');
      await page.click('#verify');
      await until(page, async (p) => (await p.textContent('#crypto-result')).includes('KMSInvalidSignatureException'), 'the AWS error');
      await page.click('#get-public-key');
      await page.waitForSelector('#public-key');
      const publicKey = await page.inputValue('#public-key');
      // DER SubjectPublicKeyInfo of a P-256 point: 91 bytes, base64 "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE…".
      expect(publicKey.startsWith('MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE') && publicKey.length === 124, `public key ${publicKey}`);
      await shot('crypto-sign');

      // Bob is no user of the key: Sign is refused, with AWS's words.
      await chooseCaller(page, 'Bob');
      await page.click('#sign');
      await until(page, async (p) => (await p.textContent('#crypto-result')).includes('AccessDeniedException'), 'the denial');
      expect((await page.textContent('#crypto-result')).includes('kms:Sign'), 'the denial names kms:Sign');
    },
  },
  {
    // KMS API Reference, GetPublicKey and Encrypt (RSAES_OAEP_SHA_256 with an RSA_2048
    // ENCRYPT_DECRYPT key): the console creates an RSA key, the crypto panel encrypts and
    // decrypts with it, naming the key and the algorithm, as RSA ciphertext names neither.
    name: 'an RSA key made in the console encrypts and decrypts in the crypto panel',
    run: async ({ page, baseUrl, expect }) => {
      await open(page, baseUrl);
      await chooseCaller(page, `root (${ACCOUNT})`);
      await page.click('#tab-console');
      const prompt = '#console-input';
      await page.waitForSelector(prompt);
      await page.fill(prompt, 'aws kms create-key --key-spec RSA_2048 --key-usage ENCRYPT_DECRYPT --query KeyMetadata.KeyId --output text');
      await page.press(prompt, 'Enter');
      await until(page, async (p) => /[0-9a-f]{8}-[0-9a-f]{4}/.test(await p.textContent('#console-output')), 'the new key id');
      const output = await page.textContent('#console-output');
      const keyId = output.match(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/)[0];
      await page.fill(prompt, `aws kms get-public-key --key-id ${keyId} --query KeySpec --output text`);
      await page.press(prompt, 'Enter');
      await until(page, async (p) => (await p.textContent('#console-output')).includes('RSA_2048'), 'GetPublicKey in the console');
      await page.click('#tab-crypto');
      await page.fill('#crypto-key', keyId);
      await page.waitForSelector('#encrypt');
      await page.fill('#crypto-plaintext', 'the launch code');
      await page.click('#encrypt');
      await until(page, async (p) => (await p.textContent('#crypto-result')).includes('Encrypted under'), 'Encrypt');
      const blob = await page.inputValue('#ciphertext');
      // RSAES-OAEP output is as long as the modulus: 256 bytes, 344 base64 characters.
      expect(blob.length === 344, `RSA ciphertext ${blob.length}`);
      await page.click('#decrypt');
      await page.waitForSelector('#decrypted');
      expect((await page.textContent('#decrypted')) === 'the launch code', 'Decrypt gives the plaintext back');
    },
  },
  {
    // The RSA and elliptic-curve code is fetched when a page first needs it; if the network
    // fails then, the page says so and tries again when asked, without a reload.
    name: 'a failed load of the asymmetric code says so and loads again on Try again',
    // The aborted fetch of the module is logged by the browser.
    expectedConsoleErrors: /Failed to load resource|ERR_FAILED|kms-asymmetric/,
    run: async ({ page, context, baseUrl, expect }) => {
      let refuse = true;
      // On the context: the page's service worker fetches the module too.
      await context.route('**/kms-asymmetric_bg.wasm', (route) => (refuse ? route.abort() : route.continue()));
      await open(page, baseUrl);
      await chooseCaller(page, `root (${ACCOUNT})`);
      await page.click('#create-key');
      await page.waitForSelector('#wizard');
      await page.check('#key-type-asymmetric');
      await page.waitForSelector('#asymmetric-failed');
      expect((await page.textContent('#asymmetric-failed')).includes('could not be loaded'), 'the failure is said');
      refuse = false;
      await page.click('#asymmetric-retry');
      await until(page, async (p) => (await p.$('#asymmetric-failed')) === null && (await p.$('#asymmetric-loading')) === null, 'loaded on the second try');
      await page.click('#wizard-cancel');
      // The code works: the console makes an elliptic-curve key and gets its public key.
      await page.click('#tab-console');
      await page.fill('#console-input', 'aws kms create-key --key-spec ECC_NIST_P384 --key-usage SIGN_VERIFY --query KeyMetadata.KeyId --output text');
      await page.press('#console-input', 'Enter');
      await until(page, async (p) => /[0-9a-f]{8}-[0-9a-f]{4}/.test(await p.textContent('#console-output')), 'the new key id');
      const keyId = (await page.textContent('#console-output')).match(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/)[0];
      await page.fill('#console-input', `aws kms get-public-key --key-id ${keyId} --query KeySpec --output text`);
      await page.press('#console-input', 'Enter');
      await until(page, async (p) => (await p.textContent('#console-output')).includes('ECC_NIST_P384'), 'GetPublicKey');
      expect(!(await page.textContent('#console-output')).includes('KMSInternalException'), 'no not-loaded error');
    },
  },
];
