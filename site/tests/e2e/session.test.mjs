// The session model: the access token only in memory, the refresh token only in an HttpOnly
// cookie, the session restored on every page load, and two tabs refreshing at the same moment
// without spending the same refresh token (navigator.locks) — which would end the session.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, BASE_URL, register, useSession } from './helpers.mjs';

const browser = await launch();
after(() => browser.close());

test('two tabs restore and refresh the same session at once without ending it', { timeout: 2 * 60_000 }, async () => {
  const buyer = await register('tabs', { cpf: false, verified: false });
  const a = await browser.newPage();
  await useSession(a, buyer);

  // The refresh cookie is HttpOnly, scoped to the auth routes; nothing in web storage.
  const cookies = await browser.context.cookies(); // all paths (the cookie's is /api/v1/auth)
  const refresh = cookies.find((c) => c.name === 'bilheteria_refresh');
  assert.ok(refresh, `the refresh cookie is set (${cookies.map((c) => c.name).join(', ')})`);
  assert.equal(refresh.httpOnly, true);
  assert.equal(refresh.path, '/api/v1/auth');
  assert.equal(refresh.sameSite, 'Strict');
  assert.equal(await a.evaluate(() => document.cookie.includes('bilheteria_refresh')), false, 'not readable by scripts');
  const storage = await a.evaluate(() => JSON.stringify({ ...localStorage, ...sessionStorage }));
  assert.doesNotMatch(storage, /eyJ|token/i, storage);
  assert.equal(await a.evaluate(() => typeof navigator.locks?.request), 'function', 'Web Locks are there (secure context)');

  // A second tab restores the session from the cookie.
  const b = await browser.newPage();
  await b.goto(`${BASE_URL}/orders.html`);
  await b.getByTestId('logout').waitFor();

  // Both tabs reload at the same moment, several times: each page load spends the refresh
  // cookie (rotated on every use). Without the lock one of them would present a spent token and
  // the server would end the whole session. To make the race certain, refresh requests are held
  // and let go together in batches (400 ms): two tabs without the lock would both send the same
  // cookie; with it, the second tab only asks once the first one has its answer.
  let batch = null;
  await browser.context.route('**/api/v1/auth/refresh', async (route) => {
    if (!batch) batch = new Promise((r) => { setTimeout(r, 400); }).then(() => { batch = null; });
    await batch;
    await route.continue();
  });
  for (let i = 0; i < 4; i += 1) {
    await Promise.all([a.reload(), b.reload()]);
    await Promise.all([a.getByTestId('logout').waitFor(), b.getByTestId('logout').waitFor()]);
  }
  await browser.context.unroute('**/api/v1/auth/refresh');
  // Still logged in afterwards, in a fresh page load of each.
  await a.goto(`${BASE_URL}/orders.html`);
  await a.getByTestId('orders-root').waitFor();
  await a.getByTestId('logout').waitFor();
  await b.goto(`${BASE_URL}/account.html`);
  await b.getByTestId('account-email').waitFor();
  assert.equal(await b.getByTestId('account-email').innerText(), buyer.email);

  // Logging out in one tab ends the session for the other one too (same cookie; told at once).
  await a.getByTestId('logout').click();
  await a.waitForURL(/\/index\.html$/);
  await a.getByTestId('nav-login').waitFor();
  await b.goto(`${BASE_URL}/index.html`);
  await b.getByTestId('nav-login').waitFor();
  assert.deepEqual(browser.errors.map(String), []);
});
