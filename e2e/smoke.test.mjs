// The release build loads and renders, and the browser has nothing to warn about while it does.
export default [
  {
    name: 'the app renders in Chromium with no console warning',
    run: async ({ page, baseUrl, expect }) => {
      const warnings = [];
      page.on('console', (m) => {
        if (m.type() === 'warning') warnings.push(m.text());
      });
      await page.goto(baseUrl);
      await page.waitForSelector('#app');
      await page.waitForSelector('#matrix tbody tr');
      const title = await page.title();
      expect(title === 'KMS Playground', `page title is "KMS Playground", got "${title}"`);
      expect(warnings.length === 0, `console warnings: ${JSON.stringify(warnings)}`);
    },
  },
];
