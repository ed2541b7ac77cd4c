// "Import from AWS…": the AWS CLI's outputs picked with the file input, what was left out and
// why, the world opened with the decisions `kmsplay` gives for the same files, and the matrix
// filter a large account opens with.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { keyNames, matrixWords, open, until } from './helpers.mjs';

const SAMPLES = join(dirname(fileURLToPath(import.meta.url)), '..', 'cli', 'tests', 'import');
const OTHER_KEY = '0987dcba-09fe-87dc-65ba-ab0987654321';

// What the CLI prints for the same files (cli/tests/cli.rs pins the same decisions):
//   cd cli/tests/import
//   kmsplay import $(ls | grep -v other-key-policy.json) \
//     --key-id 0987dcba-09fe-87dc-65ba-ab0987654321 other-key-policy.json > billing.json
//   kmsplay matrix billing.json --actions kms:Decrypt
//   kmsplay matrix billing.json --actions kms:ScheduleKeyDeletion
const CLI_DECRYPT = `
            | other   | app-data | 9e8d7c6b-5a49-4382-9170-605f4e3d2c1b
principal   | Decrypt | Decrypt  | Decrypt
------------+---------+----------+-------------------------------------
Alice       | -       | allow    | -
Bob         | -       | -        | -
lambda-exec | -       | allow    | -
Admin       | allow   | allow    | allow
Partner     | -       | -        | -`;
const CLI_SCHEDULE_DELETION = `
            | other               | app-data            | 9e8d7c6b-5a49-4382-9170-605f4e3d2c1b
principal   | ScheduleKeyDeletion | ScheduleKeyDeletion | ScheduleKeyDeletion
------------+---------------------+---------------------+-------------------------------------
Alice       | DENY                | DENY                | DENY
Bob         | DENY                | DENY                | DENY
lambda-exec | DENY                | DENY                | DENY
Admin       | DENY                | DENY                | DENY
Partner     | DENY                | DENY                | DENY`;

/** `kmsplay matrix`'s table as { principal: { key: decision } }, in the app's words. */
function cliTable(text) {
  const words = { allow: 'Allow', '-': 'None', DENY: 'Deny' };
  const lines = text.trim().split('\n').map((l) => l.split('|').map((c) => c.trim()));
  const keys = lines[0].slice(1);
  return Object.fromEntries(lines.slice(3).map(([who, ...cells]) => [
    who, Object.fromEntries(cells.map((c, i) => [keys[i], words[c]])),
  ]));
}

/** The app's matrix as { principal: { key: word } }. */
async function appTable(page) {
  const keys = await keyNames(page);
  const rows = await matrixWords(page);
  return Object.fromEntries(Object.entries(rows).map(([who, cells]) => [
    who, Object.fromEntries(cells.map((w, i) => [keys[i], w])),
  ]));
}

async function chooseAction(page, action) {
  await page.selectOption('#action-picker', action);
  await until(page, async (p) => (await p.$eval('#action-picker', (s) => s.value)) === action, `actions ${action}`);
}

async function openImport(page) {
  await page.selectOption('#scenario-menu', 'import-aws');
  await page.waitForSelector('#import-dialog');
}

/** Clicks a cell by its row's and column's names and waits for its why panel. */
async function explainCell(page, principal, key) {
  const keys = await keyNames(page);
  const rows = Object.keys(await matrixWords(page));
  await page.click(`#cell-${rows.indexOf(principal)}-${keys.indexOf(key)}`);
  await until(page, async (p) => (await p.textContent('#tab-why')).includes(`${principal} × ${key}`), `why of ${principal} × ${key}`);
  await page.waitForSelector('#why-verdict');
}

/** A made-up account of `roles` roles and `keys` keys, as `get-account-authorization-details` and `list-keys` print it. */
function largeAccount(roles, keys) {
  const account = '111122223333';
  const keyId = (k) => `${k.toString(16).padStart(8, '0')}-0000-4000-8000-${k.toString(16).padStart(12, '0')}`;
  const iam = {
    UserDetailList: [], GroupDetailList: [], Policies: [],
    RoleDetailList: Array.from({ length: roles }, (_, r) => ({
      Path: '/service-role/', RoleName: `role-${r}`, Arn: `arn:aws:iam::${account}:role/service-role/role-${r}`,
      RolePolicyList: [{ PolicyName: 'use', PolicyDocument: encodeURIComponent(JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 'kms:Decrypt', Resource: `arn:aws:kms:us-east-1:${account}:key/${keyId(r % keys)}` }],
      })) }],
    })),
  };
  const list = { Keys: Array.from({ length: keys }, (_, k) => ({ KeyId: keyId(k), KeyArn: `arn:aws:kms:us-east-1:${account}:key/${keyId(k)}` })) };
  const json = (name, value) => ({ name, mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(value, null, 2)) });
  return { files: [json('iam.json', iam), json('keys.json', list)], keyId };
}

export default [
  {
    name: 'the AWS CLI outputs import in the browser: what was left out, then the decisions kmsplay gives, with the guardrail in Why',
    run: async ({ page, baseUrl, expect, shot }) => {
      await open(page, baseUrl);
      await openImport(page);
      const files = readdirSync(SAMPLES).filter((f) => f.endsWith('.json')).map((f) => join(SAMPLES, f));
      await page.setInputFiles('#import-files', files);
      // The get-key-policy output named other-key-policy.json does not say its key.
      await page.waitForSelector('#import-error');
      expect((await page.textContent('#import-error')).startsWith('other-key-policy.json is a get-key-policy output'),
        await page.textContent('#import-error'));
      expect(await page.isDisabled('#import-open'), 'nothing to open while a file is in error');
      expect((await page.$$('#import-file-list li')).length === files.length, 'every file is listed');
      await page.fill('input[aria-label="Key id of other-key-policy.json"]', OTHER_KEY);
      await page.waitForSelector('#import-summary');
      expect((await page.textContent('#import-summary')).includes('5 principals, 3 keys, 1 grant, 3 SCPs and RCPs'),
        await page.textContent('#import-summary'));
      const skipped = await page.textContent('#import-skipped');
      expect(skipped.includes('Left out: 3 items'), skipped);
      expect(skipped.includes("alias/aws/ebs (aliases.json): an AWS managed key's alias"), skipped);
      expect(skipped.includes('policy RCPFullAWSAccess (p-RCPFullAWSAccess.policy.json): AWS attaches RCPFullAWSAccess'), skipped);
      const fileRow = await page.textContent('#import-file-list li:has-text("other-key-policy.json")');
      expect(fileRow.includes(`key policy of ${OTHER_KEY}`), fileRow);
      await page.fill('#import-name', 'Billing account');
      await page.press('#import-name', 'Tab');
      await until(page, async (p) => (await p.textContent('#import-summary')).includes('"Billing account"'), 'the name');
      await shot('import-dialog');
      await page.click('#import-open');
      await page.waitForSelector('#import-dialog', { state: 'detached' });
      await until(page, async (p) => (await p.textContent('#notice')).includes('Imported "Billing account" from 21 AWS CLI outputs.'), 'the notice');

      await chooseAction(page, 'kms:Decrypt');
      const decrypt = await appTable(page);
      expect(JSON.stringify(decrypt) === JSON.stringify(cliTable(CLI_DECRYPT)),
        `kms:Decrypt as kmsplay matrix: ${JSON.stringify(decrypt)}`);
      // Bob's inline policy allows Decrypt; his permissions boundary does not.
      await explainCell(page, 'Bob', 'app-data');
      expect((await page.textContent('#why-verdict')).includes('DENIED'), await page.textContent('#why-verdict'));
      const bobSteps = await page.textContent('#why-panel .steps');
      expect(bobSteps.includes("Does Bob's permissions boundary allow kms:Decrypt?") && bobSteps.includes('EncryptOnlyBoundary does not allow kms:Decrypt'),
        bobSteps);

      await chooseAction(page, 'kms:ScheduleKeyDeletion');
      const deletion = await appTable(page);
      expect(JSON.stringify(deletion) === JSON.stringify(cliTable(CLI_SCHEDULE_DELETION)),
        `kms:ScheduleKeyDeletion as kmsplay matrix: ${JSON.stringify(deletion)}`);
      // The key policy gives Admin kms:*; the SCP at the organization's root denies deletion.
      await explainCell(page, 'Admin', 'other');
      const verdict = await page.textContent('#why-verdict');
      expect(verdict.includes('DENIED') && verdict.toLowerCase().includes('explicit'), verdict);
      const adminSteps = await page.textContent('#why-panel .steps');
      expect(adminSteps.includes('Do the service control policies of account 111122223333 allow kms:ScheduleKeyDeletion?')
        && adminSteps.includes('ProtectKeys'), adminSteps);
      await shot('import-opened');

      // One Undo takes the import back.
      await page.click('#undo');
      await until(page, async (p) => Object.keys(await matrixWords(p)).join() === 'Alice,Bob,Charlie,David', 'the lecture again');
    },
  },
  {
    name: 'a large import opens filtered to the principals and keys picked; the filter counts and the grid keeps its keys',
    run: async ({ page, baseUrl, expect, shot }) => {
      await open(page, baseUrl);
      await openImport(page);
      const { files, keyId } = largeAccount(210, 60);
      await page.setInputFiles('#import-files', files);
      await page.waitForSelector('#import-filter');
      expect(await page.isDisabled('#import-open'), 'a large import waits for a pick');
      await page.fill('#import-filter-principals', 'role-20');
      await page.fill('#import-filter-keys', `${keyId(20)}, ${keyId(21)}`);
      await until(page, async (p) => (await p.textContent('#import-filter-principals-count')) === '11 of 210', 'principals counted');
      expect((await page.textContent('#import-filter-keys-count')) === '2 of 60', await page.textContent('#import-filter-keys-count'));
      await page.click('#import-open');
      await page.waitForSelector('#import-dialog', { state: 'detached' });
      await until(page, async (p) => (await p.textContent('#filter-count')) === 'Showing 11 of 210 principals and 2 of 60 keys',
        'the matrix says what it shows');
      const rows = Object.keys(await matrixWords(page));
      expect(rows.join() === ['role-20', ...Array.from({ length: 10 }, (_, i) => `role-20${i}`)].join(), rows.join());
      expect((await keyNames(page)).join() === [keyId(20), keyId(21)].join(), (await keyNames(page)).join());
      // role-20's inline policy allows Decrypt on the 21st key (20 % 60); role-200 on 200 % 60 = 20.
      const words = await matrixWords(page);
      expect(words['role-20'][0] === 'Decrypt only' || words['role-20'][0].startsWith('Decrypt'), JSON.stringify(words['role-20']));
      await shot('import-filtered');

      // The arrow keys walk the filtered grid; Enter explains the cell reached.
      await page.click('#cell-0-0');
      await page.keyboard.press('ArrowDown');
      await page.keyboard.press('ArrowRight');
      await until(page, async (p) => (await p.evaluate(() => document.activeElement?.id)) === 'cell-1-1', 'focus moved');
      await page.keyboard.press('Control+End');
      await until(page, async (p) => (await p.evaluate(() => document.activeElement?.id)) === 'cell-10-1', 'focus at the end');
      await page.keyboard.press('Enter');
      await until(page, async (p) => (await p.textContent('#tab-why')).includes(`role-209 × ${keyId(21)}`), 'Enter explains the last cell');

      // Typing in the filter changes what shows; a filter that matches nothing says so.
      await page.fill('#filter-principals', 'nobody-by-that-name');
      await page.waitForSelector('#filter-empty');
      expect((await page.textContent('#filter-count')) === 'Showing 0 of 210 principals and 2 of 60 keys', await page.textContent('#filter-count'));
      await page.fill('#filter-principals', 'ROLE-7 role-8');
      await until(page, async (p) => (await p.textContent('#filter-count')).startsWith('Showing 22 of 210'), 'any word matches, in any case');
      await page.click('#filter-clear');
      await until(page, async (p) => (await p.textContent('#filter-count')) === 'All 210 principals and 60 keys', 'everything again');
      expect((await keyNames(page)).length === 60, 'every key');
    },
  },
];
