// Shared steps for the app's end-to-end tests: reading the matrix and typing into editors the way
// a person does.

/** Waits for the app to render its matrix. */
export async function open(page, url) {
  await page.goto(url);
  await page.waitForSelector('#matrix tbody tr');
}

/** The matrix as { principal: [word, ...] }, in column order, read from the page. */
export async function matrixWords(page) {
  return page.$$eval('#matrix tbody tr', (rows) =>
    Object.fromEntries(
      rows.map((row) => [
        row.querySelector('th button').firstChild.textContent.trim(),
        [...row.querySelectorAll('td .word')].map((w) => w.textContent.trim()),
      ]),
    ),
  );
}

/** The column headers (key names). */
export async function keyNames(page) {
  return page.$$eval('#matrix thead th button', (heads) =>
    heads.map((h) => h.firstChild.textContent.trim()),
  );
}

/** The word of one cell. */
export async function cellWord(page, principal, key) {
  const words = await matrixWords(page);
  const keys = await keyNames(page);
  const row = words[principal];
  if (!row) throw new Error(`no row ${principal} in ${JSON.stringify(words)}`);
  return row[keys.indexOf(key)];
}

/** Opens the sidebar item named `name` (a principal or a key). */
export async function select(page, name) {
  await page.click(`.sidebar button.item:has(.name:text-is("${name}"))`);
}

/** Puts the editor's caret at the end of line `line` (1-based). */
export async function caretToLineEnd(page, line) {
  await page.click('#policy-editor');
  await page.keyboard.press('Control+Home');
  for (let i = 1; i < line; i += 1) await page.keyboard.press('ArrowDown');
  await page.keyboard.press('End');
}

/** The text of the open policy editor. */
export async function editorText(page) {
  return page.inputValue('#policy-editor');
}

/** Waits until `predicate(page)` resolves true, polling. */
export async function until(page, predicate, message, timeout = 15000) {
  const started = Date.now();
  for (;;) {
    if (await predicate(page)) return;
    if (Date.now() - started > timeout) throw new Error(`timed out: ${message}`);
    await page.waitForTimeout(50);
  }
}

/** Chooses the caller in the top bar by the start of its name ("Alice", "root (…)"). */
export async function chooseCaller(page, name) {
  const value = await page.$eval(
    '#caller',
    (el, wanted) => [...el.options].find((o) => o.textContent.startsWith(wanted))?.value,
    name,
  );
  if (!value) throw new Error(`no caller ${name}`);
  await page.selectOption('#caller', value);
}

/** Loads a preset scenario by id and waits for its notice. */
export async function loadPreset(page, id) {
  await page.selectOption('#scenario-menu', id);
  await page.waitForSelector('#notice');
}
