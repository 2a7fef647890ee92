// The waiting room (docs/waiting-room.md) in the browser.
//
// An event with one ticket goes into queue mode (opening a moment ago, 600 a minute). Two
// buyers, each in a browser of their own (a session each), wait on queue.html: the room lets in
// only as many as the stock can serve — one ticket, one buyer, while they have not ordered — so
// one of them is taken to the sector picker and reserves (the reservation carries the
// admission), while the other stays in the queue, one place behind, and is told "Esgotado" as
// soon as the ticket is gone, with the note that an unpaid hold may still come back; once the
// order is paid the page says every ticket was sold. A reload keeps the place.
//
// The console's Fila de espera tab turns queue mode on (opening now, in the event's zone) and
// off, and changes the rate live.
//
// Alone (with local/services.sh sourced):  E2E_ONLY=tests/e2e/queue.test.mjs local/e2e.sh
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  launch, BASE_URL, call, register, adminToken, createEvent, useSession, waitOrder, ADMIN,
} from './helpers.mjs';
import { GOOD_CARD, axeViolations } from './purchase.mjs';

const browsers = [];
async function newBrowser() {
  const b = await launch();
  browsers.push(b);
  return b;
}
after(() => Promise.all(browsers.map((b) => b.close())));

const sleep = (ms) => new Promise((r) => { setTimeout(r, ms); });

/** Polls `fn` until it answers something truthy; fails with `what` after `timeoutMs`. */
async function until(what, fn, timeoutMs = 15_000) {
  const end = Date.now() + timeoutMs;
  let last;
  while (Date.now() < end) {
    last = await fn();
    if (last) return last;
    await sleep(250);
  }
  throw new Error(`${what}: not within ${timeoutMs} ms (last: ${JSON.stringify(last)})`);
}

/** The status everyone polls (public). */
const queueStatus = async (ev) => (await call('GET', `/events/${ev.id}/queue/status`)).body;

/** The place token the waiting page kept for this event (localStorage, per event). */
const placeToken = (page, ev) => page.evaluate((id) => JSON.parse(localStorage.getItem(`bilheteria.queue.place.${id}`) || 'null')?.token, ev.id);

test('two buyers wait; the one let in buys the only ticket; the other is told "Esgotado" at once', { timeout: 5 * 60_000 }, async () => {
  const admin = await adminToken();
  const ev = await createEvent(admin, {
    name: `Fila Única ${Date.now().toString(36)}`,
    max_per_order: 2,
    sectors: [{ name: 'Pista', price_cents: 12000, capacity: 1 }],
  });

  // Queue mode, opened a moment ago, at a rate far above the stock: the stock decides.
  const put = await call('PUT', `/admin/events/${ev.id}/queue`, {
    token: admin, body: { enabled: true, opens_at: new Date(Date.now() - 5000).toISOString(), rate_per_minute: 600 },
  });
  assert.equal(put.status, 200, JSON.stringify(put.body));
  assert.equal(put.body.enabled, true);
  assert.equal(put.body.rate_per_minute, 600);
  // Every instance sees it within its copy's age (2 s).
  await until('the status says queue mode', async () => (await queueStatus(ev))?.mode === 'queue');

  const buyers = [{ label: 'A', buyer: await register('queue-a') }, { label: 'B', buyer: await register('queue-b') }];

  // Without an admission the reservation is refused, naming the waiting page.
  const direct = await call('POST', '/orders', { token: buyers[1].buyer.token, body: { event_id: ev.id, sector: 'Pista', price_type: 'full', quantity: 1 } });
  assert.equal(direct.status, 403, JSON.stringify(direct.body));
  assert.equal(direct.body.code, 'admission_required');
  assert.match(String(direct.body.queue_url), new RegExp(`queue\\.html\\?event=${ev.id}$`));

  for (const b of buyers) {
    b.browser = await newBrowser();
    b.page = await b.browser.newPage();
    await useSession(b.page, b.buyer);
  }
  const [a, b] = buyers;

  // B on the event page: the sectors are there, but the way in is the queue.
  await b.page.goto(`${BASE_URL}/event.html?id=${ev.id}`);
  await b.page.getByTestId('queue-join').waitFor();
  assert.match(await b.page.getByTestId('queue-gate').innerText(), /fila de espera/i);
  assert.ok(await b.page.getByTestId('reserve').isHidden(), 'no "Reservar" before the turn');
  assert.ok(await b.page.getByTestId('queue-join-bar').isVisible(), '"Entrar na fila" in the summary');
  await b.page.locator('[data-testid=sector-choice][data-sector="Pista"]').waitFor();

  // Both wait: A opens the waiting page, B follows the link.
  await a.page.goto(`${BASE_URL}/queue.html?event=${ev.id}`);
  await Promise.all([b.page.waitForURL(/\/queue\.html\?event=/), b.page.getByTestId('queue-join').click()]);

  // One ticket, one buyer at a time: exactly one of them is taken to the sector picker.
  const winner = await until('a buyer is let in', () => buyers.find((x) => /\/event\.html\?id=/.test(x.page.url())), 45_000);
  const loser = buyers.find((x) => x !== winner);
  await sleep(3000);
  assert.match(loser.page.url(), /\/queue\.html\?event=/, `${loser.label} still waits (one ticket: one admitted buyer)`);

  // The other one waits one place behind: place, people ahead, the wait, the progress.
  await loser.page.locator('[data-testid=queue-root][data-state=waiting]').waitFor();
  await loser.page.waitForFunction(() => document.querySelector('[data-testid=queue-ahead]')?.textContent === '1');
  const place = await loser.page.getByTestId('queue-place').innerText();
  assert.match(place, /^\d+$/);
  assert.match(await loser.page.getByTestId('queue-eta').innerText(), /min|minuto/);
  const bar = loser.page.getByTestId('queue-progress');
  assert.equal(await bar.getAttribute('role'), 'progressbar');
  assert.match(await bar.getAttribute('aria-valuenow'), /^\d+$/);
  assert.match(await loser.page.getByTestId('queue-what-now').innerText(), /Mantenha esta página aberta/);
  await loser.page.locator('[data-testid=queue-sector][data-available=true]').waitFor();
  // Its place token is not an admission yet.
  const loserToken = await placeToken(loser.page, ev);
  assert.equal(typeof loserToken, 'string', 'the place token is kept for this event');
  const early = await call('POST', `/events/${ev.id}/queue/admission`, { token: loser.buyer.token, body: { token: loserToken } });
  assert.equal(early.status, 409, JSON.stringify(early.body));
  assert.equal(early.body.code, 'not_your_turn');

  // The one let in: "É a sua vez", the picker, and a reservation that carries the admission.
  await winner.page.getByTestId('queue-admitted').waitFor();
  assert.equal(await winner.page.getByTestId('queue-gate').count(), 0);
  await winner.page.locator('[data-testid=sector-choice][data-sector="Pista"] input:checked').waitFor();
  await winner.page.locator('#reserve-btn:not([disabled])').waitFor();
  const [sent] = await Promise.all([
    winner.page.waitForRequest((r) => r.method() === 'POST' && new URL(r.url()).pathname === '/api/v1/orders'),
    winner.page.getByTestId('reserve').click(),
  ]);
  const sentBody = sent.postDataJSON();
  assert.equal(typeof sentBody.admission_token, 'string', 'the reservation names the admission');
  assert.equal(sentBody.quantity, 1);
  await winner.page.waitForURL(/\/order\.html\?id=/);
  const orderId = new URL(winner.page.url()).searchParams.get('id');

  // The ticket is gone: the one still waiting is told at once, without leaving the queue.
  const soldOut = loser.page.getByTestId('queue-soldout');
  await soldOut.waitFor({ timeout: 8000 });
  assert.match(await soldOut.innerText(), /Esgotado/);
  assert.equal(await loser.page.getByTestId('queue-root').getAttribute('data-state'), 'sold_out');
  assert.match(loser.page.url(), /\/queue\.html\?event=/);
  await loser.page.locator('[data-testid=queue-sector][data-available=false]').waitFor();
  // The hold is unpaid: it may still come back on sale, and the page says so.
  await loser.page.locator('[data-testid=queue-soldout][data-holds=true]').waitFor({ timeout: 15_000 });
  assert.match(await soldOut.innerText(), /reservas ainda não foram pagas/);

  // Paid: nothing may come back — every ticket was sold.
  const pay = await call('POST', `/orders/${orderId}/pay`, { token: winner.buyer.token, body: { method: 'card', card_number: GOOD_CARD } });
  assert.ok([200, 202].includes(pay.status), `pay: ${pay.status} ${JSON.stringify(pay.body)}`);
  await waitOrder(winner.buyer.token, orderId, (o) => o.status === 'paid', 60_000);
  await loser.page.locator('[data-testid=queue-soldout][data-holds=false]').waitFor({ timeout: 20_000 });
  assert.match(await loser.page.getByTestId('queue-soldout').innerText(), /Esgotado[\s\S]*Todos os ingressos deste evento foram vendidos/);
  const gone = await call('POST', `/events/${ev.id}/queue/admission`, { token: loser.buyer.token, body: { token: loserToken } });
  assert.equal(gone.status, 410, JSON.stringify(gone.body));
  assert.equal(gone.body.code, 'sold_out');

  // A reload shows the same place (kept per event), still sold out.
  await loser.page.reload();
  await loser.page.getByTestId('queue-soldout').waitFor();
  assert.equal(await loser.page.getByTestId('queue-place').innerText(), place);
  assert.match(loser.page.url(), /\/queue\.html\?event=/);

  // The waiting page, as it is now, passes axe (a violation counts only if it is still there a moment later).
  let violations = await axeViolations(loser.page);
  if (violations.length) {
    await sleep(1000);
    const again = new Set(await axeViolations(loser.page));
    violations = violations.filter((v) => again.has(v));
  }
  assert.deepEqual(violations, []);

  for (const x of buyers) assert.deepEqual(x.browser.errors.map(String), [], `${x.label}: no page errors`);
});

test('the console turns queue mode on (opening now, in the event’s zone), changes the rate live and turns it off', { timeout: 3 * 60_000 }, async () => {
  const admin = await adminToken();
  const ev = await createEvent(admin, { name: `Fila no Console ${Date.now().toString(36)}`, sectors: [{ name: 'Pista', price_cents: 9000, capacity: 20 }] });
  const browser = await newBrowser();
  const page = await browser.newPage();
  await useSession(page, ADMIN);
  await page.goto(`${BASE_URL}/admin.html#events`);

  // From the event's "Fila" action to its waiting room.
  const item = page.locator(`[data-testid=admin-event][data-event-id="${ev.id}"]`);
  await item.waitFor({ timeout: 20_000 });
  await item.locator('button[data-act=queue]').click();
  await page.locator('#tab-queue[aria-selected=true]').waitFor();
  assert.equal(await page.getByTestId('queue-event-pick').inputValue(), ev.id);
  await page.getByTestId('queue-form').waitFor();
  await page.locator('[data-testid=queue-kpi-enabled][data-value=false]').waitFor();
  assert.equal(await page.getByTestId('queue-enabled').isChecked(), false, 'never set: off');

  // On, opening now, 1200 a minute.
  await page.getByTestId('queue-enabled').check();
  await page.getByTestId('queue-opens-now').click();
  await page.getByTestId('queue-rate').fill('1200');
  const save = async () => {
    const [req] = await Promise.all([
      page.waitForRequest((r) => r.method() === 'PUT' && new URL(r.url()).pathname === `/api/v1/admin/events/${ev.id}/queue`),
      page.getByTestId('queue-save').click(),
    ]);
    await page.locator('.swal2-toast').filter({ hasText: 'Fila atualizada' }).waitFor();
    return req.postDataJSON();
  };
  const on = await save();
  assert.equal(on.enabled, true);
  assert.equal(on.rate_per_minute, 1200);
  assert.match(on.opens_at, /Z$/, 'the opening is sent in UTC');
  const opensAt = Date.parse(on.opens_at);
  assert.ok(opensAt <= Date.now() && opensAt > Date.now() - 3 * 60_000, `opening now (the minute typed): ${on.opens_at}`);
  await page.locator('[data-testid=queue-kpi-enabled][data-value=true]').waitFor();
  let view = (await call('GET', `/admin/events/${ev.id}/queue`, { token: admin })).body;
  assert.equal(view.enabled, true);
  assert.equal(view.rate_per_minute, 1200);
  assert.equal(Date.parse(view.opens_at), opensAt);
  await until('the status says queue mode', async () => (await queueStatus(ev))?.mode === 'queue');

  // The rate, changed live.
  await page.getByTestId('queue-rate').fill('30');
  const slower = await save();
  assert.equal(slower.rate_per_minute, 30);
  assert.equal(slower.enabled, true);
  view = (await call('GET', `/admin/events/${ev.id}/queue`, { token: admin })).body;
  assert.equal(view.rate_per_minute, 30);

  // A rate out of range is refused in the console, before any request.
  await page.getByTestId('queue-rate').fill('0');
  await page.getByTestId('queue-save').click();
  const dialog = page.locator('.swal2-popup:not(.swal2-toast)');
  await dialog.waitFor();
  assert.match(await dialog.innerText(), /1 a 1\.000\.000/);
  await dialog.locator('.swal2-confirm').click();
  await page.locator('.swal2-container').first().waitFor({ state: 'detached', timeout: 5000 }).catch(() => {});

  // Off.
  await page.getByTestId('queue-rate').fill('30');
  await page.getByTestId('queue-enabled').uncheck();
  const off = await save();
  assert.equal(off.enabled, false);
  await page.locator('[data-testid=queue-kpi-enabled][data-value=false]').waitFor();
  view = (await call('GET', `/admin/events/${ev.id}/queue`, { token: admin })).body;
  assert.equal(view.enabled, false);
  await until('the status says mode off', async () => (await queueStatus(ev))?.mode === 'off');
  assert.deepEqual(browser.errors.map(String), []);
});
