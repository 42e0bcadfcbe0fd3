// The browser and the people in it: Debian's Chromium driven by playwright-core, one browser context per user
// (separate storage, as two people on two machines), and scenario steps that leave screenshots behind.
import { chromium } from 'playwright-core';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

function required(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run through BrowserIT (mvn), or see clients/browser-test/README.md`);
  return value.replace(/\/+$/, '');
}

export const CHAT_URL = required('PARLEY_CHAT_URL');
export const AUTH_URL = required('PARLEY_AUTH_URL');
/** notify-service: the Web Push scenarios register there (BrowserIT sets it; optional for the chat scenarios alone). */
export const NOTIFY_URL = process.env.PARLEY_NOTIFY_URL?.replace(/\/+$/, '');
const CHROMIUM = process.env.PARLEY_CHROMIUM || '/usr/bin/chromium';
const SCREENSHOTS = process.env.PARLEY_SCREENSHOTS || join(process.cwd(), 'target', 'browser-screenshots');

/** How long a condition may take to become true; generous, since CI runs this on two loaded cores. */
export const WAIT_MS = Number(process.env.PARLEY_BROWSER_WAIT_MS || 30_000);

/** A run-unique suffix, so usernames never collide with an earlier run on the same database. */
export const RUN = Date.now().toString(36) + Math.floor(Math.random() * 1296).toString(36);

export async function launchBrowser() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // this machine's network is closed: no background connections, no component updates, no QUIC
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
           '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
}

/** One person: their own browser context (storage, cookies) and page; the page's console is kept for failures. */
export async function openPerson(browser, name, { viewport = { width: 1100, height: 760 } } = {}) {
  const context = await browser.newContext({ viewport });
  context.setDefaultTimeout(WAIT_MS);
  await context.addInitScript(reportErrorNotices);
  const page = await context.newPage();
  const person = { name, context, page, console: [], errorNotices: [] };
  watchConsole(person, page);
  return person;
}

function watchConsole(person, page) {
  const stamp = () => new Date().toISOString().slice(11, 23);
  // tokens travel in the WebSocket URL (access_token=…): keep them out of the files left behind
  const log = (line) => person.console.push(`${stamp()} ${line.replace(/(access_token=)[^&\s']+/g, '$1…')}`);
  page.on('console', (m) => {
    if (m.text().startsWith(NOTICE)) person.errorNotices.push({ text: m.text().slice(NOTICE.length), expected: false });
    log(`[${m.type()}] ${m.text()}`);
  });
  page.on('pageerror', (e) => log(`[pageerror] ${e.stack || e.message}`));
  page.on('requestfailed', (r) => log(`[requestfailed] ${r.method()} ${r.url()} ${r.failure()?.errorText ?? ''}`));
  page.on('response', (r) => { if (r.status() >= 400) log(`[http ${r.status()}] ${r.request().method()} ${r.url()}`); });
  page.on('close', () => log('[page closed]'));
}

const NOTICE = '[error notice] ';

/**
 * Runs in every page: each error notice the page shows a person (the `error-toast`, data-kind="error") is written to
 * the console, so that a scenario can fail on an error nobody expected even after the notice has faded.
 */
function reportErrorNotices() {
  const watch = () => {
    const toast = document.querySelector('[data-testid="error-toast"]');
    if (!toast) return;
    let last = '';
    new MutationObserver(() => {
      const shown = !toast.hidden && toast.dataset.kind === 'error' ? `${toast.dataset.code || '-'}: ${toast.textContent}` : '';
      if (shown && shown !== last) console.warn('[error notice] ' + shown);
      last = shown;
    }).observe(toast, { attributes: true, childList: true, characterData: true, subtree: true });
  };
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', watch); else watch();
}

/** Waits until `person` was shown the error notice with this contract `code`, and marks it as expected. */
export async function expectNotice(person, code, text) {
  const prefix = `${code}: `;
  const reported = person.page.waitForEvent('console', { predicate: (m) => m.text().startsWith(NOTICE + prefix) });
  reported.catch(() => {}); // not awaited when it came before
  const toast = person.page.locator(`[data-testid="error-toast"][data-kind="error"][data-code="${code}"]`);
  await toast.filter({ hasText: text }).waitFor({ state: 'visible' });
  if (!person.errorNotices.some((n) => n.text.startsWith(prefix))) await reported; // the console message may trail the DOM
  for (const n of person.errorNotices) if (n.text.startsWith(prefix)) n.expected = true;
}

/** A fresh page for the same person (after closing the old one, as a closed tab). */
export async function newPage(person) {
  person.page = await person.context.newPage();
  watchConsole(person, person.page);
  return person.page;
}

let failedBefore = null;

/**
 * One scenario of the story. Scenarios build on each other (the users signed up in the first chat in the next), so
 * once one fails the rest are skipped rather than failing for the same reason. Each leaves a screenshot per person
 * (`<nn>-<scenario>-<person>.png`); a failure adds `FAILED-…` screenshots and every person's console log. An
 * error notice shown to anyone during a scenario fails it, unless the scenario expected it ({@link expectNotice}).
 */
export function scenario(test, number, title, people, body) {
  const slug = `${String(number).padStart(2, '0')}-${title.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '')}`;
  test(title, async (t) => {
    if (failedBefore) {
      t.skip(`after the failure of "${failedBefore}"`);
      return;
    }
    const noticesBefore = new Map(people().map((p) => [p, p.errorNotices.length]));
    try {
      await body();
      const unexpected = people().flatMap((p) => p.errorNotices.slice(noticesBefore.get(p) ?? 0)
        .filter((n) => !n.expected).map((n) => `${p.name} saw "${n.text}"`));
      if (unexpected.length) throw new Error(`the page showed error notices: ${unexpected.join('; ')}`);
      await snapshot(people(), slug);
    } catch (e) {
      failedBefore = title;
      await snapshot(people(), `FAILED-${slug}`);
      for (const p of people()) writeFileSync(join(SCREENSHOTS, `FAILED-${slug}-${p.name}-console.log`), p.console.join('\n') + '\n');
      throw e;
    }
  });
}

async function snapshot(people, prefix) {
  mkdirSync(SCREENSHOTS, { recursive: true });
  for (const p of people) {
    if (!p?.page || p.page.isClosed()) continue;
    try {
      await p.page.screenshot({ path: join(SCREENSHOTS, `${prefix}-${p.name}.png`), fullPage: true, timeout: 10_000 });
    } catch (e) {
      writeFileSync(join(SCREENSHOTS, `${prefix}-${p.name}.screenshot-error.txt`), String(e.stack || e));
    }
  }
}

/** Every person's console log, kept after the run whatever its outcome. */
export function saveConsoleLogs(people) {
  mkdirSync(SCREENSHOTS, { recursive: true });
  for (const p of people) writeFileSync(join(SCREENSHOTS, `${p.name}-console.log`), p.console.join('\n') + '\n');
}
