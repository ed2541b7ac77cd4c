// Multi-Region keys as a person meets them: "Regionality: Multi-Region key" in the create-key wizard's
// advanced options (KMS Developer Guide, create-primary-keys.html), Replicate from the key's page into
// another Region (KMS API Reference, ReplicateKey: the replica is Creating for a few seconds), and the
// AccessDeniedException of a caller who may not call kms:ReplicateKey, with its why link.
import { open, keyNames, chooseCaller } from './helpers.mjs';

const ACCOUNT = '111122223333';

export default [
  {
    name: 'a multi-Region key from the wizard is replicated from its page; a caller without kms:ReplicateKey is refused',
    run: async ({ page, baseUrl, expect, shot }) => {
      await open(page, baseUrl);
      await chooseCaller(page, `root (${ACCOUNT})`);
      await page.click('#create-key');
      await page.waitForSelector('#wizard');
      await page.click('#wizard-advanced');
      await page.check('#regionality-multi');
      await page.click('#wizard-next');
      await page.fill('#wizard-alias', 'Global');
      await page.click('#wizard-next');
      await page.check('input[aria-label="Key administrator: Alice"]');
      await page.click('#wizard-next');
      await page.click('#wizard-next');
      await page.waitForSelector('#wizard-policy');
      await page.click('#wizard-next');
      const review = await page.textContent('#wizard-review');
      expect(review.includes('Multi-Region key'), `the review says it: ${review}`);
      const policy = JSON.parse(await page.textContent('#wizard-policy-review'));
      const admins = policy.Statement.find((s) => s.Sid === 'Allow access for Key Administrators');
      // KMS Developer Guide, key-policy-default.html: a multi-Region key's administrators may
      // replicate it and change its primary Region.
      expect(admins.Action.includes('kms:ReplicateKey') && admins.Action.includes('kms:UpdatePrimaryRegion'), `admins: ${admins.Action}`);
      await page.click('#wizard-finish');
      await page.waitForSelector('#created-key');
      expect((await keyNames(page)).includes('Global'), 'the new key is a matrix column');

      // Finish selected the key: its page lists its Regions and offers Replicate.
      await page.waitForSelector('#key-regions');
      expect((await page.textContent('#key-regions-title')).includes('primary'), 'a multi-Region primary key');
      const arn = await page.getAttribute('#key-regions tr[data-region="us-east-1"] [title]', 'title');
      expect(/^arn:aws:kms:us-east-1:111122223333:key\/mrk-/.test(arn), `an mrk- key: ${arn}`);
      await page.fill('#replica-region', 'eu-west-2');
      await page.click('#replicate');
      await page.waitForSelector('#key-regions tr[data-region="eu-west-2"]');
      const row = await page.textContent('#key-regions tr[data-region="eu-west-2"]');
      expect(row.includes('Replica') && row.includes('Creating'), `the replica is Creating: ${row}`);
      expect((await page.textContent('#regions-result')).includes('Creating'), 'the result says so');
      const names = await keyNames(page);
      expect(names.includes('Global (eu-west-2)'), `the replica's column is named with its Region: ${names}`);
      const heads = await page.$$eval('#matrix thead th button', (hs) => hs.map((h) => h.textContent));
      const head = heads.find((h) => h.startsWith('Global (eu-west-2)'));
      expect(head?.includes('Creating'), `its column says Creating: ${heads}`);
      await shot('regions-replicated');

      // Bob has no policy that allows kms:ReplicateKey on Global.
      await chooseCaller(page, 'Bob');
      await page.fill('#replica-region', 'ap-southeast-2');
      await page.click('#replicate');
      await page.waitForSelector('#regions-result .refusal');
      const refusal = await page.textContent('#regions-result .refusal');
      expect(
        refusal.startsWith('An error occurred (AccessDeniedException) when calling the ReplicateKey operation: User: arn:aws:iam::111122223333:user/Bob is not authorized to perform: kms:ReplicateKey'),
        `AWS's refusal: ${refusal}`,
      );
      expect(!(await keyNames(page)).some((n) => n.includes('ap-southeast-2')), 'nothing was made');
      await page.click('#regions-result .why-link');
      await page.waitForSelector('#why-verdict');
      expect((await page.textContent('#tab-why')).includes('Bob × Global'), 'the why panel explains Bob x Global');
    },
  },
];
