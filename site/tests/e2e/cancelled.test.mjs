// Orders and events that are over. The admin cancels an event (through the API) that a buyer
// has paid for: the event page says "Este evento foi cancelado", that paid orders are refunded
// automatically, and offers no "Reservar"; the buyer's order says it was refunded because the
// event was cancelled, still shows the event's date (in its time zone) and venue, and links
// back to the event. A reservation the buyer cancelled also links back to its event, and the
// buyer's confirm dialog says plainly what each button does.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  launch, BASE_URL, call, register, adminToken, createEvent, useSession, waitOrder, screenshots,
} from './helpers.mjs';
import { paidOrder, cancelEvent } from './purchase.mjs';

const browser = await launch();
after(() => browser.close());

test('a cancelled event and its refunded order say what happened and link back', { timeout: 4 * 60_000 }, async () => {
  const admin = await adminToken();
  const startsAt = new Date(Date.now() + 30 * 86400e3);
  startsAt.setUTCHours(23, 30, 0, 0); // 20:30 in São Paulo
  const ev = await createEvent(admin, {
    name: `Show Cancelado ${Date.now().toString(36)}`, venue: 'Estádio do Cancelamento, Recife', starts_at: startsAt.toISOString(),
    time_zone: 'America/Sao_Paulo', sectors: [{ name: 'Arquibancada', price_cents: 8000, capacity: 30 }],
  });
  const buyer = await register('cancelled');
  const order = await paidOrder(buyer, ev, { quantity: 2 });
  await cancelEvent(admin, ev.id);
  const refunded = await waitOrder(buyer.token, order.id, (o) => o.status === 'refunded', 60_000);
  assert.equal(refunded.event_status ?? 'cancelled', 'cancelled');

  const page = await browser.newPage();
  await useSession(page, buyer);

  // The event page: cancelled, refunds explained, nothing to buy.
  await page.goto(`${BASE_URL}/event.html?id=${ev.id}`);
  const notice = page.getByTestId('event-cancelled');
  await notice.waitFor();
  const text = await notice.innerText();
  assert.match(text, /Este evento foi cancelado/);
  assert.match(text, /Pedidos pagos são reembolsados automaticamente/);
  assert.equal(await page.getByTestId('reserve').count(), 0, 'no "Reservar"');
  assert.equal(await page.locator('#buy-form').count(), 0);
  const main = await page.locator('main').innerText();
  assert.doesNotMatch(main, /Não encontrado|no such event|HTTP/);
  assert.match(await page.getByTestId('event-when').innerText(), /20:30 \((BRT|GMT-3|UTC-3)\)/);
  await screenshots(page, 'event-cancelled');

  // The refunded order: why, when and where, and the way back to the event.
  await page.goto(`${BASE_URL}/order.html?id=${order.id}`);
  const ended = page.getByTestId('order-ended');
  await ended.waitFor();
  assert.equal(await ended.getAttribute('data-reason'), 'refundedEventCancelled');
  assert.match(await ended.innerText(), /Evento cancelado — pedido reembolsado/);
  assert.match(await ended.innerText(), /reembolsado automaticamente: R\$\s160,00/);
  await page.getByTestId('order-event-when').waitFor();
  assert.match(await page.getByTestId('order-event-when').innerText(), /20:30 \((BRT|GMT-3|UTC-3)\)/);
  assert.match(await page.getByTestId('order-event-venue').innerText(), /Estádio do Cancelamento, Recife/);
  assert.equal(await page.getByTestId('back-to-event').getAttribute('href'), `event.html?id=${ev.id}`);
  assert.equal(await page.getByTestId('refund').count(), 0);
  await screenshots(page, 'order-refunded-event-cancelled');
  await page.getByTestId('back-to-event').click();
  await page.getByTestId('event-cancelled').waitFor();
  assert.deepEqual(browser.errors.map(String), []);
});

test('a reservation the buyer cancels: plain confirm buttons, then the way back to the event', { timeout: 2 * 60_000 }, async () => {
  const admin = await adminToken();
  const ev = await createEvent(admin, { name: `Reserva Cancelada ${Date.now().toString(36)}`, sectors: [{ name: 'Pista', price_cents: 5000, capacity: 20 }] });
  const buyer = await register('ends');
  const r = await call('POST', '/orders', { token: buyer.token, body: { event_id: ev.id, sector: 'Pista', price_type: 'full', quantity: 1 } });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const page = await browser.newPage();
  await useSession(page, buyer);
  await page.goto(`${BASE_URL}/order.html?id=${r.body.id}`);
  await page.getByTestId('cancel').click();
  const dialog = page.locator('.swal2-popup:not(.swal2-toast)');
  await dialog.waitFor();
  assert.equal((await dialog.locator('.swal2-confirm').innerText()).trim(), 'Sim, cancelar a reserva');
  assert.equal((await dialog.locator('.swal2-cancel').innerText()).trim(), 'Manter reserva');
  // "Manter reserva" keeps it.
  await dialog.locator('.swal2-cancel').click();
  await page.locator('.swal2-container').waitFor({ state: 'detached' });
  assert.equal((await call('GET', `/orders/${r.body.id}`, { token: buyer.token })).body.status, 'reserved');
  await page.getByTestId('cancel').click();
  await dialog.locator('.swal2-confirm').click();
  await page.locator('[data-testid=order-status][data-status=cancelled]').waitFor();
  const ended = page.getByTestId('order-ended');
  await ended.waitFor();
  assert.match(await ended.innerText(), /Esta reserva foi cancelada/);
  assert.equal(await page.getByTestId('back-to-event').getAttribute('href'), `event.html?id=${ev.id}`);

  // The orders list offers the way back too.
  await page.goto(`${BASE_URL}/orders.html`);
  const row = page.locator(`[data-testid=order-row][data-order-id="${r.body.id}"]`);
  await row.waitFor();
  assert.equal(await row.getByTestId('row-to-event').getAttribute('href'), `event.html?id=${ev.id}`);
  assert.deepEqual(browser.errors.map(String), []);
});
