// The release build loads and renders.
export default [
  {
    name: 'the app renders in Chromium',
    run: async ({ page, baseUrl, expect }) => {
      await page.goto(baseUrl);
      await page.waitForSelector('#app');
      const title = await page.title();
      expect(title === 'KMS Playground', `page title is "KMS Playground", got "${title}"`);
    },
  },
];
