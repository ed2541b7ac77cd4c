// The hands-on panels of issue 8, driven like a person: the create-key wizard (demo 2), the
// console replaying demo 1, grants with the simulated clock, and encryption with tampering.
import { open, matrixWords, keyNames, cellWord, select, editorText, until, chooseCaller, loadPreset } from './helpers.mjs';

const ACCOUNT = '111122223333';

/** The console's output split into blocks, one per command: { command, output }. */
async function consoleBlocks(page) {
  const lines = await page.$$eval('#console-output .line', (items) =>
    items.map((i) => ({ command: i.classList.contains('cmd'), text: i.textContent })),
  );
  const blocks = [];
  for (const line of lines) {
    if (line.command) blocks.push({ command: line.text.replace(/^\$ /, ''), output: '' });
    else if (blocks.length) blocks[blocks.length - 1].output += line.text;
  }
  return blocks.filter((b) => !b.command.startsWith('#'));
}

export default [
  {
    name: 'the create-key wizard makes the console policy and a new matrix column (demo 2)',
    run: async ({ page, baseUrl, expect }) => {
      await open(page, baseUrl);
      // CreateKey is an IAM permission: the account's root user has it.
      await chooseCaller(page, `root (${ACCOUNT})`);
      await page.click('#create-key');
      await page.waitForSelector('#wizard');
      await page.click('#wizard-next'); // Configure key: symmetric, encrypt and decrypt, KMS origin
      await page.fill('#wizard-alias', 'DemoKey');
      await page.fill('#wizard-description', 'This is a demo');
      await page.click('#wizard-next');
      await page.check('input[aria-label="Key administrator: Alice"]');
      await page.check('input[aria-label="Key administrator: Bob"]');
      expect(await page.isChecked('#allow-delete'), 'key deletion is allowed by default');
      await page.click('#wizard-next');
      await page.check('input[aria-label="Key user: Charlie"]');
      await page.check('input[aria-label="Key user: David"]');
      await page.click('#wizard-next');
      await page.waitForSelector('#wizard-policy');
      await page.click('#wizard-next');
      const policy = JSON.parse(await page.textContent('#wizard-policy-review'));
      // KMS Developer Guide, key-policy-default.html: the console's statements.
      const sids = policy.Statement.map((s) => s.Sid);
      expect(
        JSON.stringify(sids) ===
          JSON.stringify([
            'Enable IAM User Permissions',
            'Allow access for Key Administrators',
            'Allow use of the key',
            'Allow attachment of persistent resources',
          ]),
        `statements ${JSON.stringify(sids)}`,
      );
      const admins = policy.Statement[1];
      expect(admins.Action.includes('kms:ScheduleKeyDeletion'), 'admins may delete the key');
      expect(!admins.Action.includes('kms:Encrypt'), 'admins cannot encrypt');
      expect(
        JSON.stringify(admins.Principal.AWS) ===
          JSON.stringify([`arn:aws:iam::${ACCOUNT}:user/Alice`, `arn:aws:iam::${ACCOUNT}:user/Bob`]),
        'admins are Alice and Bob',
      );
      expect(policy.Statement[2].Action.includes('kms:Encrypt'), 'users may encrypt');
      expect(policy.Statement[3].Condition.Bool['kms:GrantIsForAWSResource'] !== undefined, 'grants for AWS resources');
      await page.click('#wizard-finish');
      await page.waitForSelector('#created-key');
      expect((await page.textContent('#created-key')).includes('alias/DemoKey'), 'created with its alias');
      expect((await keyNames(page)).includes('DemoKey'), 'the new key is a matrix column');
      expect((await cellWord(page, 'Charlie', 'DemoKey')) === 'Allow', 'a key user may encrypt and decrypt');
      expect((await cellWord(page, 'Alice', 'DemoKey')) === 'None', 'a key administrator may not');
      await select(page, 'DemoKey');
      expect((await editorText(page)).includes('Allow access for Key Administrators'), 'the policy is in the editor');
    },
  },
  {
    name: 'replaying demo 1 in the console: Bob denied, Alice grants, Bob encrypts with the token, then without it',
    run: async ({ page, baseUrl, expect, shot }) => {
      await open(page, baseUrl);
      await loadPreset(page, 'demo1');
      await page.click('#tab-console');
      await page.click('#replay-demo1');
      await page.waitForSelector('text=replaying');
      // While the grant is inside its consistency window the matrix shows Bob pending.
      await until(page, async (p) => (await cellWord(p, 'Bob', 'DemoKey')) === 'Pending', 'Bob pending', 60000);
      await until(page, async (p) => (await p.textContent('#replay-demo1')) === 'Replay demo 1', 'replay done', 90000);
      const blocks = await consoleBlocks(page);
      const commands = blocks.map((b) => b.command);
      expect(commands.length === 7, `seven commands ran: ${JSON.stringify(commands)}`);
      const denied = (b) => b.output.includes('An error occurred (AccessDeniedException) when calling the Encrypt operation: User: arn:aws:iam::111122223333:user/Bob is not authorized to perform: kms:Encrypt');
      const encrypted = (b) => b.output.includes('"CiphertextBlob"');
      expect(denied(blocks[0]), `Bob is denied first: ${blocks[0].output}`);
      expect(encrypted(blocks[1]), 'Alice encrypts');
      expect(blocks[2].output.includes('"GrantToken"') && blocks[2].output.includes('"GrantId"'), 'Alice grants');
      expect(encrypted(blocks[3]) && blocks[3].command.includes('--grant-tokens'), 'Bob encrypts with the token');
      expect(denied(blocks[4]), 'without the token Bob is denied inside the window');
      expect(blocks[5].command === 'sleep 300', 'the clock passes the window');
      expect(encrypted(blocks[6]), 'after the window Bob encrypts without the token');
      expect((await cellWord(page, 'Bob', 'DemoKey')) !== 'Pending', 'the matrix no longer shows Bob pending');
      // Denials link to their explanation.
      await page.click('#console-output .why-link');
      await page.waitForSelector('#why-verdict');
      await shot('console');
    },
  },
  {
    name: 'a grant works at once with its token and after five simulated minutes without it',
    run: async ({ page, baseUrl, expect }) => {
      await open(page, baseUrl);
      await loadPreset(page, 'demo1');
      await chooseCaller(page, 'Alice');
      await page.click('#tab-grants');
      const bob = await page.$eval('#grant-grantee', (el) => [...el.options].find((o) => o.textContent.startsWith('Bob')).value);
      await page.selectOption('#grant-grantee', bob);
      await page.click('#create-grant');
      await page.waitForSelector('#grant-token');
      const token = await page.getAttribute('#grant-token', 'data-token');
      expect(token.length > 20, 'a grant token is shown');
      expect((await cellWord(page, 'Bob', 'DemoKey')) === 'Pending', 'pending (token only) in the matrix');
      expect((await page.textContent('#clock')).includes('consistent at'), 'the clock shows when it becomes consistent');
      // Bob encrypts with the token.
      await chooseCaller(page, 'Bob');
      await page.click('#tab-crypto');
      await page.fill('#crypto-tokens', token);
      await page.click('#encrypt');
      await until(page, async (p) => (await p.inputValue('#ciphertext')).length > 40, 'ciphertext');
      // Without it, after the window.
      await page.fill('#crypto-tokens', '');
      await page.click('#tab-grants');
      await page.click('#clock-5');
      await until(page, async (p) => (await cellWord(p, 'Bob', 'DemoKey')) !== 'Pending', 'grant effective');
      await page.click('#tab-crypto');
      await page.click('#decrypt');
      await page.waitForSelector('#decrypted');
      expect((await page.textContent('#decrypted')) === 'CloudAcademy', 'Bob decrypts through the grant');
    },
  },
  {
    name: 'encrypt, tamper, decrypt fails with InvalidCiphertextException; a changed context fails the same way',
    run: async ({ page, baseUrl, expect, shot }) => {
      await open(page, baseUrl);
      await chooseCaller(page, 'Alice');
      await page.click('#tab-crypto');
      await page.fill('#crypto-key', 'alias/CMK-A');
      await page.fill('input[aria-label="context pair 1 key"]', 'dept');
      await page.fill('input[aria-label="context pair 1 value"]', 'eng');
      await page.click('#encrypt');
      await page.waitForSelector('#inspector');
      const labels = await page.$$eval('#inspector .part .label', (l) => l.map((x) => x.textContent));
      for (const part of ['key ARN', 'backing-key version', 'nonce', 'encrypted data', 'authentication tag']) {
        expect(labels.some((l) => l.startsWith(part)), `inspector shows ${part}: ${labels}`);
      }
      await page.click('#decrypt');
      await page.waitForSelector('#decrypted');
      expect((await page.textContent('#decrypted')) === 'CloudAcademy', 'round trip');
      await page.click('#tamper');
      await page.waitForSelector('#inspector .flipped');
      await page.click('#decrypt');
      await until(page, async (p) => (await p.textContent('#crypto-result')).includes('InvalidCiphertextException'), 'tampered blob refused');
      await shot('crypto');
      // A fresh blob, decrypted with one context value changed.
      await page.click('#encrypt');
      await page.waitForSelector('#crypto-result:has-text("Encrypted under")');
      await page.fill('input[aria-label="context pair 1 value"]', 'ops');
      await page.click('#decrypt');
      await until(page, async (p) => (await p.textContent('#crypto-result')).includes('InvalidCiphertextException'), 'wrong context refused');
    },
  },
  {
    name: 'decrypt as a principal the policies deny fails with AWS message and a why link',
    run: async ({ page, baseUrl, expect }) => {
      await open(page, baseUrl);
      await chooseCaller(page, 'Alice');
      await page.click('#tab-crypto');
      await page.fill('#crypto-key', 'alias/CMK-A');
      await page.click('#encrypt');
      await page.waitForSelector('#inspector');
      await chooseCaller(page, 'Bob');
      await page.click('#decrypt');
      await page.waitForSelector('#crypto-result .refusal');
      const line = await page.textContent('#crypto-result .refusal');
      const expected = `An error occurred (AccessDeniedException) when calling the Decrypt operation: User: arn:aws:iam::${ACCOUNT}:user/Bob is not authorized to perform: kms:Decrypt on resource: arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab because no identity-based policy allows the kms:Decrypt action`;
      expect(line === expected, `AWS's message, got: ${line}`);
      await page.click('#crypto-result .why-link');
      await page.waitForSelector('#why-verdict');
      expect((await page.textContent('#tab-why')).includes('Bob × CMK-A'), 'the why panel explains Bob x CMK-A');
      expect((await page.textContent('#why-verdict')).includes('implicitly'), 'an implicit deny');
      const words = await matrixWords(page);
      expect(words.Bob[0] === 'None', 'the matrix agrees');
    },
  },
  {
    name: 'the inspector marks the tampered byte even in the middle of a long ciphertext',
    run: async ({ page, baseUrl, expect }) => {
      await open(page, baseUrl);
      await chooseCaller(page, 'Alice');
      await page.click('#tab-crypto');
      await page.fill('#crypto-key', 'alias/CMK-A');
      await page.fill('#crypto-plaintext', 'x'.repeat(300));
      await page.click('#encrypt');
      await page.waitForSelector('#crypto-result:has-text("Encrypted under")');
      await page.click('#tamper');
      const flipped = page.locator('#inspector .flipped');
      await flipped.waitFor();
      expect((await flipped.getAttribute('title')).includes('tampered'), 'the flipped byte is marked');
      const parts = await page.$$eval('#inspector .part', (ps) =>
        ps.map((p) => [p.querySelector('.label').textContent, p.querySelector('.bytes').textContent]));
      const arn = parts.find(([label]) => label.startsWith('key ARN ·'))[1];
      expect(arn.startsWith('arn:aws:kms:'), `the key ARN reads as text: ${arn}`);
    },
  },
  {
    name: 'Replay demo 1 from the lecture loads demo 1 first, and Undo brings the lecture back',
    run: async ({ page, baseUrl, expect }) => {
      await open(page, baseUrl);
      await page.click('#tab-console');
      await page.click('#replay-demo1');
      await until(page, async (p) => (await keyNames(p)).includes('DemoKey'), 'demo 1 loaded');
      await page.click('#replay-demo1'); // Stop replay
      await until(page, async (p) => (await p.textContent('#replay-demo1')) === 'Replay demo 1', 'stopped');
      await page.click('#notice button:text-is("Undo")');
      await until(page, async (p) => (await keyNames(p)).includes('CMK-A'), 'the lecture is back');
      expect(!(await keyNames(page)).includes('DemoKey'), 'demo 1 is gone');
    },
  },
];
