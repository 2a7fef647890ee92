// Prices before commitment, at a lot boundary (Lote 1: 1 ticket at R$ 100; Lote 2: R$ 200):
//  - 3 tickets are quoted by the server from Lote 2 (R$ 600,00), not 3 × the list price;
//  - a quote taken at R$ 100 goes stale when another buyer takes the last Lote 1 ticket before
//    the click: the reservation is refused (409 price_changed), the page shows R$ 100,00 →
//    R$ 200,00, and on the buyer's confirmation the order is made at R$ 200.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  launch, BASE_URL, call, register, adminToken, useSession, missing, screenshots,
} from './helpers.mjs';
import { lotBoundaryEvent } from './purchase.mjs';

const browser = await launch();
after(() => browser.close());

const total = (page) => page.getByTestId('total').innerText().then((s) => s.replace(/\s/g, ' '));
const waitTotal = (page, text) => page.waitForFunction(
  (want) => document.querySelector('[data-testid=total]')?.textContent.replace(/\s/g, ' ') === want, text);

test('3 tickets across the lot boundary are quoted from Lote 2: R$ 600,00', { timeout: 2 * 60_000 }, async (t) => {
  const admin = await adminToken();
  const ev = await lotBoundaryEvent(admin);
  const why = await missing('GET', `/events/${ev.id}/quote?sector=Pista&price_type=full&quantity=1`);
  if (why) { t.skip(why); return; }
  const buyer = await register('quote');
  const page = await browser.newPage();
  await useSession(page, buyer);
  await page.goto(`${BASE_URL}/event.html?id=${ev.id}`);
  await waitTotal(page, 'R$ 100,00');
  assert.match(await page.getByTestId('quote-note').innerText(), /Lote 1/);

  // Quantity 3: the page asks the server (sector, price type, quantity) and shows its answer.
  const [quoteRequest] = await Promise.all([
    page.waitForRequest((r) => r.url().includes(`/events/${ev.id}/quote`) && new URL(r.url()).searchParams.get('quantity') === '3'),
    page.getByTestId('qty').fill('3'),
  ]);
  const q = new URL(quoteRequest.url()).searchParams;
  assert.equal(q.get('sector'), 'Pista');
  assert.equal(q.get('price_type'), 'full');
  await waitTotal(page, 'R$ 600,00');
  assert.match(await page.getByTestId('quote-note').innerText(), /Lote 2 · R\$\s200,00 cada/);
  assert.equal((await page.locator('#sum-unit').innerText()).replace(/\s/g, ' '), 'R$ 200,00');
  await screenshots(page, 'quote-lot-boundary');

  // The reservation carries the quoted unit price, and is made at it.
  const [post] = await Promise.all([
    page.waitForRequest((r) => r.method() === 'POST' && r.url().endsWith('/api/v1/orders')),
    page.getByTestId('reserve').click(),
  ]);
  assert.equal(post.postDataJSON().expected_unit_price_cents, 20000);
  await page.waitForURL(/order\.html\?id=/);
  const order = (await call('GET', `/orders/${new URL(page.url()).searchParams.get('id')}`, { token: buyer.token })).body;
  assert.equal(order.unit_price_cents, 20000);
  assert.equal(order.total_cents, 60000);
  assert.equal(order.lot, 'Lote 2');
  assert.deepEqual(browser.errors.map(String), []);
});

test('the price changes between the quote and the click: old → new, confirmed, ordered at R$ 200', { timeout: 2 * 60_000 }, async (t) => {
  const admin = await adminToken();
  const ev = await lotBoundaryEvent(admin);
  const why = await missing('GET', `/events/${ev.id}/quote?sector=Pista&price_type=full&quantity=1`);
  if (why) { t.skip(why); return; }
  const buyer = await register('quoted');
  const rival = await register('rival');
  const page = await browser.newPage();
  await useSession(page, buyer);
  await page.goto(`${BASE_URL}/event.html?id=${ev.id}`);
  await waitTotal(page, 'R$ 100,00');

  // What the page saw stays what it sees (its live refresh would otherwise notice the change
  // first): the event and the quote answer as they did when the buyer looked.
  const seenEvent = (await call('GET', `/events/${ev.id}`)).body;
  await page.route((url) => url.pathname === `/api/v1/events/${ev.id}`, (r) => r.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify(seenEvent) }));
  await page.route((url) => url.pathname === `/api/v1/events/${ev.id}/quote`, (r) => r.fulfill({
    status: 200,
    contentType: 'application/json',
    body: JSON.stringify({ sector: 'Pista', price_type: 'full', quantity: 1, available: true, lot: 'Lote 1', unit_price_cents: 10000, total_cents: 10000, code: null }),
  }));

  // Another buyer takes the last Lote 1 ticket.
  const taken = await call('POST', '/orders', { token: rival.token, body: { event_id: ev.id, sector: 'Pista', price_type: 'full', quantity: 1 } });
  assert.equal(taken.status, 201, JSON.stringify(taken.body));
  assert.equal(taken.body.unit_price_cents, 10000);

  const posts = [];
  page.on('request', (r) => { if (r.method() === 'POST' && r.url().endsWith('/api/v1/orders')) posts.push(r); });
  await page.getByTestId('reserve').click();
  const dialog = page.locator('.swal2-popup:not(.swal2-toast)');
  await dialog.waitFor();
  const text = (await dialog.innerText()).replace(/\s/g, ' ');
  assert.match(text, /O preço mudou/);
  assert.match(await dialog.getByTestId('price-unit').innerText(), /R\$\s100,00[\s\S]*R\$\s200,00/);
  assert.match(await dialog.getByTestId('price-lot').innerText(), /Lote 1[\s\S]*Lote 2/);
  assert.doesNotMatch(text, /HTTP|409|price changed/i, 'no status or server detail for buyers');
  // The page behind the dialog already shows the new price.
  assert.equal(await total(page), 'R$ 200,00');
  await screenshots(page, 'quote-price-changed');
  assert.equal(await dialog.locator('.swal2-confirm').innerText(), 'Reservar por R$ 200,00');
  await dialog.locator('.swal2-confirm').click();

  await page.waitForURL(/order\.html\?id=/);
  assert.equal(posts.length, 2, 'refused once, then sent again');
  assert.equal(posts[0].postDataJSON().expected_unit_price_cents, 10000);
  assert.equal(posts[1].postDataJSON().expected_unit_price_cents, 20000);
  assert.notEqual(posts[0].headers()['idempotency-key'], posts[1].headers()['idempotency-key'], 'a new Idempotency-Key for the new price');
  const order = (await call('GET', `/orders/${new URL(page.url()).searchParams.get('id')}`, { token: buyer.token })).body;
  assert.equal(order.unit_price_cents, 20000);
  assert.equal(order.total_cents, 20000);
  assert.equal(order.lot, 'Lote 2');
  await page.unrouteAll({ behavior: 'ignoreErrors' });
  assert.deepEqual(browser.errors.map(String), []);
});
