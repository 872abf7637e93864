// Drives real VS Code (code-server) in headless Chromium and checks what a user of the
// ipf-lsp extension sees. Started by run.sh; every input comes from the environment:
//
//   IPF_E2E_URL        workbench URL (with ?folder=...)
//   IPF_E2E_WORKSPACE  the workspace folder on disk (to read the saved file)
//   IPF_E2E_FILE       file to open, relative to the workspace
//   IPF_E2E_TOOLS      folder whose node_modules holds playwright-core
//   IPF_E2E_ARTIFACTS  where screenshots go
//   IPF_E2E_EXPECT_DIAG     text the Problems panel must show
//   IPF_E2E_HOVER_LINE      1-based line of the mention to hover (default: the diagnostic's line)
//   IPF_E2E_HOVER_WORD      technology mention to hover (first occurrence on that line, at/after the cursor)
//   IPF_E2E_EXPECT_HOVER    text the hover must show
//   IPF_E2E_EXPECT_FIX      title of the quick fix to run
//   IPF_E2E_EXPECT_SECTION  heading the document must end with after the quick fix
//   IPF_E2E_EXPECT_LIBRARY  text "ipf: Show pattern library" must show
//   IPF_E2E_LOGS            code-server's log folder (holds the "ipf-lsp" output channel's log)
//   IPF_E2E_ALL_FILE        file to run "ipf: Insert all missing integration patterns" on
//   IPF_E2E_EXPECT_ALL      text that command must append to it (|-separated list)
//
// Prints "ok"/"FAIL" per check and a closing "N passed, M failed"; exits 1 on failure.
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const env = (k) => {
  const v = process.env[k];
  if (v === undefined || v === '') throw new Error(`missing env ${k}`);
  return v;
};
const url = env('IPF_E2E_URL');
const workspace = env('IPF_E2E_WORKSPACE');
const file = env('IPF_E2E_FILE');
const artifacts = env('IPF_E2E_ARTIFACTS');
const expectDiag = env('IPF_E2E_EXPECT_DIAG');
const hoverWord = env('IPF_E2E_HOVER_WORD');
const expectHover = env('IPF_E2E_EXPECT_HOVER');
const hoverLine = Number(process.env.IPF_E2E_HOVER_LINE || 0);
const expectFix = env('IPF_E2E_EXPECT_FIX');
const expectSection = env('IPF_E2E_EXPECT_SECTION');
const expectLibrary = env('IPF_E2E_EXPECT_LIBRARY');
const allFile = env('IPF_E2E_ALL_FILE');
const expectAll = env('IPF_E2E_EXPECT_ALL').split('|');
const logsDir = env('IPF_E2E_LOGS');
const require = createRequire(path.join(env('IPF_E2E_TOOLS'), 'package.json'));
const { chromium } = require('playwright-core');

const filePath = path.join(workspace, file);
const original = fs.readFileSync(filePath, 'utf8');
const baseName = path.basename(file);
const T = 60000;

let passed = 0;
let failed = 0;
const check = async (name, fn) => {
  const t0 = Date.now();
  try {
    await fn();
    passed++;
    console.log(`ok    ${name} (${((Date.now() - t0) / 1000).toFixed(1)}s)`);
    return true;
  } catch (e) {
    failed++;
    console.log(`FAIL  ${name}: ${String(e && e.message ? e.message : e).split('\n')[0]}`);
    return false;
  }
};

// Monaco renders spaces as NBSP; compare normalised text.
const norm = (s) => s.replace(/\u00a0/g, ' ');

const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'ipf-e2e-chrome-'));
const ctx = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.IPF_E2E_CHROMIUM || '/usr/bin/chromium',
  headless: true,
  viewport: { width: 1400, height: 900 },
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
});
const page = ctx.pages()[0] || (await ctx.newPage());
const shot = (name) => page.screenshot({ path: path.join(artifacts, name) }).catch(() => {});

const editorSel = '.editor-instance .monaco-editor';

/** Text of every visible `.monaco-hover` widget. */
const hoverText = () =>
  page.evaluate(() =>
    [...document.querySelectorAll('.monaco-hover')]
      .filter((el) => el.offsetParent !== null || el.getClientRects().length > 0)
      .map((el) => el.textContent || '')
      .join('\n')
      .replace(/\u00a0/g, ' '),
  );

/**
 * Screen point over `word` on the line that holds the editor's cursor (falls back to the
 * cursor itself), in the visible editor.
 */
const targetAtCursor = (word) =>
  page.evaluate(
    ({ word, sel }) => {
      const ed = [...document.querySelectorAll(sel)].find(
        (e) => e.getClientRects().length > 0 && e.querySelector('.cursors-layer .cursor'),
      );
      if (!ed) return null;
      const cur = ed.querySelector('.cursors-layer .cursor').getBoundingClientRect();
      const cy = cur.top + cur.height / 2;
      const line = [...ed.querySelectorAll('.view-lines .view-line')].find((l) => {
        const r = l.getBoundingClientRect();
        return r.top <= cy && cy <= r.bottom;
      });
      if (line) {
        const nodes = [];
        const walker = document.createTreeWalker(line, NodeFilter.SHOW_TEXT);
        for (let n = walker.nextNode(); n; n = walker.nextNode()) nodes.push(n);
        const full = nodes.map((n) => n.data).join('').replace(/\u00a0/g, ' ');
        // the occurrence nearest to the cursor
        let best = -1;
        for (let at = full.indexOf(word); at >= 0; at = full.indexOf(word, at + 1)) {
          best = at;
          const r0 = document.createRange();
          let off = at, node = null;
          for (const n of nodes) { if (off < n.data.length) { node = n; break; } off -= n.data.length; }
          if (node) { r0.setStart(node, off); r0.setEnd(node, off + 1); if (r0.getBoundingClientRect().right >= cur.left) break; }
        }
        if (best >= 0) {
          let off = best + 1;
          for (const n of nodes) {
            if (off < n.data.length) {
              const r = document.createRange();
              r.setStart(n, off);
              r.setEnd(n, Math.min(n.data.length, off + 2));
              const b = r.getBoundingClientRect();
              return { x: b.left + b.width / 2, y: b.top + b.height / 2, onWord: true };
            }
            off -= n.data.length;
          }
        }
      }
      return { x: cur.left + 4, y: cy, onWord: false };
    },
    { word, sel: editorSel },
  );

/** Ctrl+G line:col in the active editor. */
const gotoLine = async (line, col) => {
  await page.locator(editorSel + ' .view-lines').first().click();
  await page.keyboard.press('Control+G');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: T });
  await input.fill(`:${line}:${col}`);
  await page.keyboard.press('Enter');
  await page.waitForTimeout(500);
};

/** Puts the cursor at the diagnostic: reads [Ln X, Col Y] from its Problems row, then Ctrl+G X:Y. */
const gotoDiagnostic = async () => {
  const row = page
    .locator('.markers-panel .monaco-list-row', { hasText: expectDiag })
    .first();
  const text = (await row.textContent({ timeout: T })) || '';
  const m = /Ln (\d+), Col (\d+)/.exec(text);
  if (!m) throw new Error(`no [Ln, Col] in the Problems row: ${text}`);
  await gotoLine(m[1], m[2]);
  return { line: Number(m[1]), col: Number(m[2]) };
};

const runCommand = async (title) => {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: T });
  await input.fill('>' + title);
  const row = page.locator('.quick-input-widget .monaco-list-row', { hasText: title }).first();
  await row.waitFor({ state: 'visible', timeout: T });
  await page.keyboard.press('Enter');
};

try {
  await check('workbench loads', async () => {
    await page.goto(url, { waitUntil: 'domcontentloaded', timeout: T });
    await page.waitForSelector('.monaco-workbench', { timeout: 90000 });
    await page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ timeout: T });
  });

  const opened = await check(`open ${file}`, async () => {
    await page.keyboard.press('Control+P');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible', timeout: T });
    await input.fill(file);
    await page.locator('.quick-input-widget .monaco-list-row', { hasText: baseName }).first().waitFor({ timeout: T });
    await page.keyboard.press('Enter');
    await page.locator('.tabs-container .tab.active', { hasText: baseName }).waitFor({ timeout: T });
    const firstLine = original.split('\n').find((l) => l.trim() !== '') || '';
    await page.waitForFunction(
      ({ sel, t }) =>
        [...document.querySelectorAll(sel + ' .view-lines')].some((e) =>
          (e.textContent || '').replace(/\u00a0/g, ' ').includes(t),
        ),
      { sel: editorSel, t: firstLine.slice(0, 30) },
      { timeout: T },
    );
  });

  if (opened) {
    // (a) Problems panel
    await check(`Problems panel shows "${expectDiag}"`, async () => {
      await page.locator(editorSel + ' .view-lines').first().click();
      await page.keyboard.press('Control+Shift+M');
      await page.waitForFunction(
        (t) => (document.querySelector('.markers-panel')?.textContent || '').replace(/\u00a0/g, ' ').includes(t),
        expectDiag,
        { timeout: 90000 },
      );
    });

    // (b) hover over a technology mention (on IPF_E2E_HOVER_LINE, else at the diagnostic)
    await check(`hover on "${hoverWord}"${hoverLine ? ` (line ${hoverLine})` : ''} shows "${expectHover}"`, async () => {
      if (hoverLine) await gotoLine(hoverLine, 1);
      else await gotoDiagnostic();
      let text = '';
      for (let attempt = 0; attempt < 4 && !text.includes(expectHover); attempt++) {
        // Recompute the point every time: code lenses and inlay hints arrive
        // asynchronously and move the text.
        await page.waitForTimeout(attempt ? 500 : 1000);
        const pt = await targetAtCursor(hoverWord);
        if (!pt) throw new Error('no editor cursor');
        if (!pt.onWord) {
          if (attempt < 3) continue;
          throw new Error(`"${hoverWord}" is not on the cursor's line`);
        }
        await page.mouse.move(pt.x + 40, pt.y + 150);
        await page.waitForTimeout(200);
        await page.mouse.move(pt.x, pt.y, { steps: 5 });
        const until = Date.now() + 8000;
        while (Date.now() < until) {
          text = await hoverText();
          if (text.includes(expectHover)) break;
          await page.waitForTimeout(300);
        }
      }
      await shot('vscode-e2e-hover.png');
      if (!text.includes(expectHover)) throw new Error(`hover text was: ${JSON.stringify(text.slice(0, 1200))}`);
    });

    // (c) quick fix via Ctrl+. on the mention
    await check(`quick fix "${expectFix}" appends "${expectSection}"`, async () => {
      await page.keyboard.press('Escape');
      await page.mouse.move(5, 880);
      await gotoDiagnostic();
      await page.keyboard.press('Control+.');
      const item = page.locator('.action-widget .monaco-list-row', { hasText: expectFix }).first();
      await item.waitFor({ state: 'visible', timeout: T });
      await shot('vscode-e2e-quickfix.png');
      await item.click();
      await page.locator('.tabs-container .tab.active.dirty', { hasText: baseName }).waitFor({ timeout: T });
      await page.keyboard.press('Control+S');
      await page.locator('.tabs-container .tab.active:not(.dirty)', { hasText: baseName }).waitFor({ timeout: T });
      let saved = '';
      const deadline = Date.now() + 15000;
      while (Date.now() < deadline) {
        saved = fs.readFileSync(filePath, 'utf8');
        if (saved !== original) break;
        await page.waitForTimeout(250);
      }
      const keep = original.trimEnd();
      if (!saved.startsWith(keep)) throw new Error('the original text was not kept at the start of the file');
      const added = saved.slice(keep.length);
      const lines = added.split('\n');
      const headings = lines.filter((l) => /^##\s/.test(l));
      if (!headings.some((h) => h.startsWith(expectSection))) {
        throw new Error(`no "${expectSection}" heading in the appended text: ${JSON.stringify(added.slice(0, 200))}`);
      }
      // The document ends with the inserted section: nothing of the original follows it.
      const lastH2 = [...saved.matchAll(/^## .*$/gm)].pop()?.[0] ?? '';
      if (!lastH2.startsWith(expectSection)) throw new Error(`last ## heading is "${lastH2}"`);
      fs.writeFileSync(path.join(artifacts, 'spec-after-quickfix.md'), saved);
    });

    // (d) the extension's own command reaches the server
    await check(`"ipf: Show pattern library" shows "${expectLibrary}"`, async () => {
      await page.keyboard.press('Escape');
      await runCommand('ipf: Show pattern library');
      await page.waitForFunction(
        ({ sel, t }) =>
          [...document.querySelectorAll(sel + ' .view-lines')].some(
            (e) => e.getClientRects().length > 0 && (e.textContent || '').replace(/\u00a0/g, ' ').includes(t),
          ),
        { sel: editorSel, t: expectLibrary },
        { timeout: T },
      );
      await page.locator('.tabs-container .tab.active', { hasText: 'Untitled' }).waitFor({ timeout: 5000 });
    });

    // (e) "Insert all missing integration patterns" sends the active document's {uri, version}
    await check(`"ipf: Insert all missing integration patterns" on ${allFile}`, async () => {
      const allPath = path.join(workspace, allFile);
      const before = fs.readFileSync(allPath, 'utf8');
      const allBase = path.basename(allFile);
      await page.keyboard.press('Control+P');
      const input = page.locator('.quick-input-widget input');
      await input.waitFor({ state: 'visible', timeout: T });
      await input.fill(allFile);
      await page.locator('.quick-input-widget .monaco-list-row', { hasText: allBase }).first().waitFor({ timeout: T });
      await page.keyboard.press('Enter');
      await page.locator('.tabs-container .tab.active', { hasText: allBase }).waitFor({ timeout: T });
      // wait until the server has analysed it (its diagnostics are listed)
      await page.keyboard.press('Control+Shift+M');
      await page.waitForFunction(
        (f) => [...document.querySelectorAll('.markers-panel .monaco-list-row')].some((r) => (r.textContent || '').includes(f)),
        allBase,
        { timeout: T },
      );
      await page.locator(editorSel + ' .view-lines').first().click();
      await runCommand('ipf: Insert all missing integration patterns');
      await page.locator('.tabs-container .tab.active.dirty', { hasText: allBase }).waitFor({ timeout: T });
      await page.keyboard.press('Control+S');
      await page.locator('.tabs-container .tab.active:not(.dirty)', { hasText: allBase }).waitFor({ timeout: T });
      let saved = before;
      const deadline = Date.now() + 15000;
      while (saved === before && Date.now() < deadline) {
        await page.waitForTimeout(250);
        saved = fs.readFileSync(allPath, 'utf8');
      }
      const added = saved.slice(before.trimEnd().length);
      if (!saved.startsWith(before.trimEnd())) throw new Error('the original text was not kept at the start of the file');
      const missing = expectAll.filter((t) => !added.includes(t));
      if (missing.length) throw new Error(`not appended: ${missing.join(', ')}`);
    });

    // (f) "ipf: Restart server" starts a new server that analyses the open documents again
    await check('"ipf: Restart server" restarts the server', async () => {
      const findLog = (dir) => {
        for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
          const p = path.join(dir, e.name);
          if (e.isDirectory()) {
            const r = findLog(p);
            if (r) return r;
          } else if (e.name === 'ipf-lsp.log') return p;
        }
        return null;
      };
      const logFile = findLog(logsDir);
      if (!logFile) throw new Error(`no ipf-lsp.log under ${logsDir}`);
      const starts = () => (fs.readFileSync(logFile, 'utf8').match(/ipf-lsp is running/g) || []).length;
      const before = starts();
      await page.locator(editorSel + ' .view-lines').first().click();
      await runCommand('ipf: Restart server');
      const deadline = Date.now() + T;
      while (starts() <= before && Date.now() < deadline) await page.waitForTimeout(250);
      if (starts() <= before) throw new Error('the output channel does not show a new start');
      // diagnostics of the open documents come back from the new server
      await page.keyboard.press('Control+Shift+M');
      await page.waitForFunction(
        () => (document.querySelector('.markers-panel')?.textContent || '').includes('Integration point:'),
        null,
        { timeout: T },
      );
    });
  }
} finally {
  // Show the spec with its Problems panel in the final screenshot.
  try {
    if (passed > 1) {
      await page.keyboard.press('Control+P');
      await page.locator('.quick-input-widget input').fill(file);
      await page.waitForTimeout(800);
      await page.keyboard.press('Enter');
      await page.waitForTimeout(1500);
      await page.keyboard.press('Control+End');
      await page.waitForTimeout(500);
    }
  } catch {
    // screenshot anyway
  }
  await shot('vscode-e2e.png');
  await ctx.close().catch(() => {});
  fs.rmSync(profile, { recursive: true, force: true });
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}
