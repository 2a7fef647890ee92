// Shared helpers for the end-to-end tests: Debian's Chromium through playwright-core (never a
// downloaded browser), API shortcuts, "not built yet" detection and screenshots.
import { chromium } from 'playwright-core';
import { mkdtemp, rm, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BASE_URL = (process.env.E2E_BASE_URL || 'http://127.0.0.1:8123').replace(/\/$/, '');
export const API = `${BASE_URL}/api/v1`;
export const ADMIN_EMAIL = process.env.E2E_ADMIN_EMAIL || 'admin@bilheteria.local';
export const ADMIN_PASSWORD = process.env.E2E_ADMIN_PASSWORD || 'admin12345';
export const CHROMIUM = process.env.E2E_CHROMIUM || '/usr/bin/chromium';
export const SHORT_HOLD = process.env.E2E_HOLD_SECONDS_EXPIRY === '1';

const here = dirname(fileURLToPath(import.meta.url));
export const SCREENSHOTS = resolve(here, '..', '..', '..', 'docs', 'screenshots');

export const PHONE = { width: 390, height: 844 };
export const DESKTOP = { width: 1366, height: 900 };

/** Launches headless Chromium with a fresh profile; returns { browser, close }. */
export async function launch() {
  const profile = await mkdtemp(join(tmpdir(), 'bilheteria-e2e-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: DESKTOP,
    locale: 'pt-BR',
    timezoneId: 'America/Sao_Paulo',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  context.setDefaultTimeout(15000);
  const errors = [];
  context.on('page', (p) => p.on('pageerror', (e) => errors.push(e)));
  return {
    context,
    errors,
    async newPage() {
      const page = await context.newPage();
      page.on('pageerror', (e) => errors.push(e));
      return page;
    },
    async close() {
      await context.close().catch(() => {});
      await rm(profile, { recursive: true, force: true }).catch(() => {});
    },
  };
}

/** A JSON request to the API; returns { status, body, headers }. */
export async function call(method, path, { token, body, headers = {} } = {}) {
  const h = { accept: 'application/json', ...headers };
  if (body !== undefined) h['content-type'] = 'application/json';
  if (token) h.authorization = `Bearer ${token}`;
  const res = await fetch(`${API}${path}`, { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let parsed = text;
  try { parsed = text ? JSON.parse(text) : null; } catch { /* text */ }
  return { status: res.status, body: parsed, headers: res.headers };
}

/** True when the answer means "this route is not built yet" (405, or 404 "no route"). */
export function notBuilt(r) {
  return r.status === 405 || (r.status === 404 && /no route/i.test(r.body?.detail || ''));
}

/** Probes a route: returns a skip reason when it is not built yet, else null. */
export async function missing(method, path, token, body) {
  const r = await call(method, path, { token, body });
  return notBuilt(r) ? `${method} /api/v1${path.replace(/[0-9a-f]{24}/g, '{id}')} answers ${r.status} — not built yet` : null;
}

export function uniqueEmail(prefix = 'buyer') {
  return `${prefix}.${Date.now().toString(36)}${Math.random().toString(36).slice(2, 7)}@e2e.test`;
}

export async function register(prefix = 'buyer') {
  const email = uniqueEmail(prefix);
  const password = 'senha-segura-123';
  const r = await call('POST', '/auth/register', { body: { name: `Teste ${prefix}`, email, password } });
  if (r.status !== 201) throw new Error(`register: ${r.status} ${JSON.stringify(r.body)}`);
  const token = await login(email, password);
  return { email, password, token, user: r.body };
}

export async function login(email, password) {
  const r = await call('POST', '/auth/login', { body: { email, password } });
  if (r.status !== 200) throw new Error(`login ${email}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.access_token;
}

export const adminToken = () => login(ADMIN_EMAIL, ADMIN_PASSWORD);

/** Puts a session straight into the page's localStorage (skips the login form). */
export async function useSession(page, token) {
  await page.goto(`${BASE_URL}/index.html`);
  const me = (await call('GET', '/me', { token })).body;
  await page.evaluate(([tk, user]) => {
    localStorage.setItem('bilheteria.token', tk);
    localStorage.setItem('bilheteria.user', JSON.stringify(user));
  }, [token, me]);
}

/** Creates an event through the admin API. */
export async function createEvent(token, overrides = {}) {
  const body = {
    name: `E2E ${Date.now().toString(36)}`,
    venue: 'Arena de Testes, São Paulo',
    starts_at: new Date(Date.now() + 20 * 86400e3).toISOString(),
    description: 'Evento criado pelos testes de ponta a ponta.',
    sectors: [{ name: 'Pista', price_cents: 10000, capacity: 100 }],
    ...overrides,
  };
  const r = await call('POST', '/admin/events', { token, body });
  if (r.status !== 201) throw new Error(`create event: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

/** Polls an order until `done(order)` or the timeout. */
export async function waitOrder(token, id, done, timeoutMs = 30000) {
  const until = Date.now() + timeoutMs;
  let last;
  while (Date.now() < until) {
    last = (await call('GET', `/orders/${id}`, { token })).body;
    if (done(last)) return last;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`order ${id} stuck at ${last?.status}`);
}

/** Saves <name>-desktop.png and <name>-phone.png of the page's current URL. */
export async function screenshots(page, name, { before } = {}) {
  await mkdir(SCREENSHOTS, { recursive: true });
  const original = page.viewportSize();
  for (const [label, size] of [['desktop', DESKTOP], ['phone', PHONE]]) {
    await page.setViewportSize(size);
    if (before) await before(page, label);
    await page.locator('.swal2-toast').first().waitFor({ state: 'detached', timeout: 6000 }).catch(() => {});
    await page.evaluate(() => {
      document.activeElement?.blur?.();
      window.scrollTo(0, 0);
    });
    await page.waitForTimeout(350);
    // Phone shots show the whole page unless it is very long (e.g. a list of many events).
    const height = await page.evaluate(() => document.documentElement.scrollHeight);
    await page.screenshot({ path: join(SCREENSHOTS, `${name}-${label}.png`), fullPage: label === 'phone' && height <= 2600 });
  }
  if (original) await page.setViewportSize(original);
}

/** Closes any open SweetAlert2 dialog and returns its text. */
export async function swalText(page, timeout = 15000) {
  const popup = page.locator('.swal2-popup:not(.swal2-toast)');
  await popup.waitFor({ state: 'visible', timeout });
  const text = await popup.innerText();
  return text;
}
export async function closeSwal(page) {
  const btn = page.locator('.swal2-popup:not(.swal2-toast) .swal2-confirm');
  if (await btn.isVisible().catch(() => false)) await btn.click();
  await page.locator('.swal2-container').first().waitFor({ state: 'detached', timeout: 5000 }).catch(() => {});
}
