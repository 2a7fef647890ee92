// Outages told honestly. With the API unreachable (every /api/v1 request aborted) a banner says
// "Sem conexão — tentando reconectar", the home page's live dot stops being green, and the
// order page's hold countdown says it is paused instead of ticking as if nothing happened; when
// the API is back the banner says "Conexão restabelecida", goes away, and the pages read their
// data again. A 500 on the home page shows a retry button that works.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, BASE_URL, call, register, useSession, screenshots } from './helpers.mjs';

const browser = await launch();
after(() => browser.close());

const API = (url) => url.pathname.startsWith('/api/v1/');
const abortAll = (r) => r.abort('internetdisconnected');

test('API down → banner, grey live dot, paused countdown; back up → "restabelecida", page resumes', { timeout: 3 * 60_000 }, async () => {
  const buyer = await register('outage');
  const page = await browser.newPage();
  await useSession(page, buyer);

  // The home page: live, then not.
  await page.goto(`${BASE_URL}/index.html`);
  await page.locator('#events-updated[data-state=live]').waitFor();
  await page.route(API, abortAll);
  const banner = page.getByTestId('connection-banner');
  await page.locator('#connection-banner[data-state=offline]').waitFor({ timeout: 20_000 }); // the next refresh fails
  assert.match(await banner.innerText(), /Sem conexão — tentando reconectar/);
  await page.locator('#events-updated[data-state=offline]').waitFor();
  assert.equal(await page.locator('#events-updated [data-live=live]').count(), 0, 'no green pulsing dot while offline');
  assert.match(await page.locator('#events-updated').innerText(), /Sem conexão/);
  assert.ok(await page.getByTestId('event-card').count() > 0, 'the last list stays on screen');
  await screenshots(page, 'outage-home');
  await page.unroute(API, abortAll);
  await page.locator('#connection-banner[data-state=restored]').waitFor({ timeout: 40_000 });
  assert.match(await banner.innerText(), /Conexão restabelecida/);
  await page.locator('#events-updated[data-state=live]').waitFor();
  await page.locator('#connection-banner[data-state=online]').waitFor({ state: 'attached', timeout: 10_000 });
  assert.equal((await banner.innerText()).trim(), '', 'the banner goes away');

  // The order page: the countdown says it is paused, then ticks again. (The hold is short in
  // the browser tests: the order is made now.)
  const events = (await call('GET', '/events')).body;
  const ev = events.find((e) => e.status === 'active' && e.sectors.some((s) => s.available > 0));
  const sector = ev.sectors.find((s) => s.available > 0);
  const r = await call('POST', '/orders', { token: buyer.token, body: { event_id: ev.id, sector: sector.name, price_type: 'full', quantity: 1 } });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  await page.goto(`${BASE_URL}/order.html?id=${r.body.id}`);
  await page.waitForFunction(() => /^\d{2}:\d{2}$/.test(document.querySelector('[data-testid=countdown]')?.textContent || ''));
  await page.route(API, abortAll);
  await page.locator('#connection-banner[data-state=offline]').waitFor({ timeout: 20_000 }); // the order poll fails
  await page.getByTestId('hold-offline').waitFor();
  assert.match(await page.getByTestId('hold-offline').innerText(), /Sem conexão — tentando reconectar/);
  assert.equal(await page.getByTestId('countdown').innerText(), '--:--', 'no countdown that cannot be trusted');
  await page.waitForTimeout(1500);
  assert.equal(await page.getByTestId('countdown').innerText(), '--:--', 'it stays paused');
  await screenshots(page, 'outage-order');
  const [reread] = await Promise.all([
    page.waitForResponse((res) => new URL(res.url()).pathname === `/api/v1/orders/${r.body.id}` && res.status() === 200, { timeout: 40_000 }),
    page.unroute(API, abortAll),
  ]);
  assert.equal(reread.status(), 200, 'the order is read again once the API answers');
  await page.locator('#connection-banner[data-state=restored]').waitFor();
  await page.waitForFunction(() => /^\d{2}:\d{2}$/.test(document.querySelector('[data-testid=countdown]')?.textContent || ''));
  assert.equal(await page.getByTestId('hold-offline').count(), 0);
  assert.deepEqual(browser.errors.map(String), []);
});

test('a 500 on the home page explains and offers a retry that works', { timeout: 60_000 }, async () => {
  const page = await browser.newPage();
  const list = (url) => url.pathname === '/api/v1/events';
  const fail = (r) => r.fulfill({
    status: 500, contentType: 'application/problem+json',
    body: JSON.stringify({ type: 'about:blank', title: 'Internal Server Error', status: 500, detail: 'An unexpected error occurred.', code: 'internal' }),
  });
  await page.route(list, fail);
  await page.goto(`${BASE_URL}/index.html`);
  const box = page.getByTestId('events-error');
  await box.waitFor();
  const text = await box.innerText();
  assert.match(text, /Não foi possível carregar os eventos/);
  assert.match(text, /Erro nosso/);
  assert.doesNotMatch(text, /HTTP|500|unexpected error/i);
  assert.equal(await page.locator('#connection-banner[data-state=offline]').count(), 0, 'a 500 is not an outage');
  await page.unroute(list, fail);
  await page.getByTestId('events-retry').click();
  await page.getByTestId('event-card').first().waitFor();
  await page.locator('#events-updated[data-state=live]').waitFor();
  assert.deepEqual(browser.errors.map(String), []);
});
