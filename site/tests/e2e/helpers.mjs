// Shared helpers for the end-to-end tests: Debian's Chromium through playwright-core (never a
// downloaded browser), API shortcuts (buyers with a CPF and a verified e-mail, read from the
// local mailbox), logging a page in (the refresh cookie), "not built yet" detection and screenshots.
import { chromium } from 'playwright-core';
import { mkdtemp, rm, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BASE_URL = (process.env.E2E_BASE_URL || 'http://127.0.0.1:8123').replace(/\/$/, '');
export const API = `${BASE_URL}/api/v1`;
export const ADMIN_EMAIL = process.env.E2E_ADMIN_EMAIL || 'admin@bilheteria.local';
export const ADMIN_PASSWORD = process.env.E2E_ADMIN_PASSWORD || 'Admin-E2E-Strong-Pass-2026!';
export const CHROMIUM = process.env.E2E_CHROMIUM || '/usr/bin/chromium';
export const SHORT_HOLD = process.env.E2E_HOLD_SECONDS_EXPIRY === '1';

const here = dirname(fileURLToPath(import.meta.url));
export const SCREENSHOTS = resolve(here, '..', '..', '..', 'docs', 'screenshots');

export const PHONE = { width: 390, height: 844 };
export const DESKTOP = { width: 1366, height: 900 };

/**
 * Launches headless Chromium with a fresh profile; returns { browser, close }. `viewport`,
 * `permissions` and extra Chromium `args` (a fake camera, say) are the caller's to add.
 */
export async function launch({ viewport = DESKTOP, permissions = [], args = [] } = {}) {
  const profile = await mkdtemp(join(tmpdir(), 'bilheteria-e2e-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport,
    locale: 'pt-BR',
    timezoneId: 'America/Sao_Paulo',
    permissions,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', ...args],
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

/** A strong password (the server refuses weak ones: zxcvbn score < 3). */
export const PASSWORD = 'Correct-Horse-Battery-42!';

/** A random valid CPF, formatted (weights 10..2 then 11..2; r = sum*10 % 11; 10 → 0). */
export function validCpf() {
  let d;
  do d = Array.from({ length: 9 }, () => Math.floor(Math.random() * 10));
  while (d.every((x) => x === d[0]));
  for (const len of [9, 10]) {
    const sum = d.slice(0, len).reduce((acc, x, i) => acc + x * (len + 1 - i), 0);
    const r = (sum * 10) % 11;
    d.push(r === 10 ? 0 : r);
  }
  const s = d.join('');
  return `${s.slice(0, 3)}.${s.slice(3, 6)}.${s.slice(6, 9)}-${s.slice(9)}`;
}

/** The local server's mail viewer: the e-mails sent to `email`, newest first. */
export async function mailbox(email) {
  for (const base of [BASE_URL, API]) {
    const res = await fetch(`${base}/dev/mailbox?to=${encodeURIComponent(email)}`, { headers: { accept: 'application/json' } });
    if (res.status === 404) continue;
    if (!res.ok) throw new Error(`mailbox: ${res.status} ${await res.text()}`);
    return res.json();
  }
  throw new Error('mailbox: GET /dev/mailbox answers 404');
}

/**
 * The newest verification link e-mailed to `email` (waits for it): { url, token, mail }. With
 * `after` (an earlier answer), only a newer e-mail counts (e.g. after asking for it again).
 */
export async function verificationLink(email, { timeoutMs = 15000, after } = {}) {
  const until = Date.now() + timeoutMs;
  let last = [];
  while (Date.now() < until) {
    last = await mailbox(email);
    for (const m of last) {
      if (after && (m.id != null ? m.id === after.mail.id : m.sent_at <= after.mail.sent_at)) break;
      const match = String(m.body || '').match(/(\S*verify\.html#token=([^\s"'<>]+))/);
      if (match) return { url: match[1], token: decodeURIComponent(match[2]), mail: m };
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`no verification link for ${email} (mailbox: ${JSON.stringify(last).slice(0, 500)})`);
}

/** Verifies `email` through the API with the link from the mailbox. */
export async function verifyEmail(email) {
  const { token } = await verificationLink(email);
  const r = await call('POST', '/auth/verify-email', { body: { token } });
  if (r.status !== 200) throw new Error(`verify-email ${email}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

/**
 * A buyer registered through the API — by default with a valid CPF and a verified e-mail (what
 * paying needs) — and logged in through the API: { email, password, name, cpf, token, user }.
 */
/** The header `local/e2e.sh` tells the server to take the client's address from. */
export const CLIENT_ADDRESS_HEADER = 'x-e2e-client-address';
let registrations = 0;

export async function register(prefix = 'buyer', { cpf = true, verified = true, name = `Teste ${prefix}` } = {}) {
  const email = uniqueEmail(prefix);
  const password = PASSWORD;
  const body = { name, email, password };
  if (cpf) body.cpf = typeof cpf === 'string' ? cpf : validCpf();
  // Each test buyer signs up from an address of its own (the server trusts this header only
  // in the browser tests, like CloudFront's viewer address in production): ten sign-ups an
  // hour per address is the real limit, and the suite's buyers are more than ten.
  // The address is unique to this process and registration (each test file is a process of its
  // own: a counter alone would hand every file the same few addresses, and the suite's files
  // together sign up more than ten buyers per address an hour).
  registrations += 1;
  const headers = { [CLIENT_ADDRESS_HEADER]: `[2001:db8::${process.pid.toString(16)}:${registrations.toString(16)}]:443` };
  const r = await call('POST', '/auth/register', { body, headers });
  if (r.status !== 201) throw new Error(`register: ${r.status} ${JSON.stringify(r.body)}`);
  let user = r.body;
  if (verified) user = await verifyEmail(email);
  const token = await login(email, password);
  return { email, password, name, cpf: body.cpf ?? null, token, user };
}

/** Logs in through the API (no cookie kept): the access token. */
export async function login(email, password) {
  const r = await call('POST', '/auth/login', { body: { email, password } });
  if (r.status !== 200) throw new Error(`login ${email}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.access_token;
}

export const ADMIN = { email: ADMIN_EMAIL, password: ADMIN_PASSWORD };
export const adminToken = () => login(ADMIN_EMAIL, ADMIN_PASSWORD);

/**
 * Logs the page's browser in as `account` ({ email, password }): POST /auth/login from inside
 * the page (same origin), so the browser keeps the HttpOnly refresh cookie; then reloads, and
 * the page restores the session from the cookie like any page load.
 */
export async function useSession(page, account) {
  if (!account?.email || !account?.password) throw new Error('useSession(page, { email, password })');
  if (!page.url().startsWith(BASE_URL)) await page.goto(`${BASE_URL}/index.html`);
  const status = await page.evaluate(async ([email, password]) => {
    const res = await fetch('/api/v1/auth/login', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ email, password }),
    });
    return res.status;
  }, [account.email, account.password]);
  if (status !== 200) throw new Error(`login in the page as ${account.email}: ${status}`);
  await page.reload();
  // The whole suite shares two cores with the server and the database: a page's first
  // render after a login has taken over 15 s there once (alone: under 1 s).
  await page.getByTestId('logout').waitFor({ timeout: 30_000 });
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
