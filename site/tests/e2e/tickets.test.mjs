// Real tickets. A paid order's tickets each show the event, its date (in the event's time zone)
// and venue, sector, lot, price type, the holder and the QR; printing prints only the tickets,
// one per page (no menu, no refund button, no footer); "Baixar PDF" downloads the order's PDF
// through the API (with the bearer token), without leaving the page.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  launch, BASE_URL, register, adminToken, createEvent, useSession, screenshots, missing,
} from './helpers.mjs';
import { paidOrder } from './purchase.mjs';

const browser = await launch();
after(() => browser.close());

/** The number of pages of a PDF (its /Type /Page objects). */
const pdfPages = (buf) => (buf.toString('latin1').match(/\/Type\s*\/Page(?!s)/g) || []).length;

test('tickets: event, date, venue, holder, QR; print = only the tickets; PDF download', { timeout: 4 * 60_000 }, async (t) => {
  const admin = await adminToken();
  const startsAt = new Date(Date.now() + 25 * 86400e3);
  startsAt.setUTCHours(22, 0, 0, 0); // 19:00 in São Paulo
  const ev = await createEvent(admin, {
    name: `Noite dos Ingressos ${Date.now().toString(36)}`, venue: 'Casa de Shows Impressa, Belo Horizonte', starts_at: startsAt.toISOString(),
    time_zone: 'America/Sao_Paulo',
    sectors: [{ name: 'Mezanino', price_cents: 12000, capacity: 40, lots: [{ name: '1º lote', price_cents: 12000, quantity: 40 }] }],
  });
  const buyer = await register('tickets', { name: 'Joana Portadora' });
  const order = await paidOrder(buyer, ev, { quantity: 2 });

  const page = await browser.newPage();
  await useSession(page, buyer);
  await page.goto(`${BASE_URL}/order.html?id=${order.id}`);
  const tickets = page.getByTestId('ticket');
  await tickets.first().waitFor({ timeout: 30_000 });
  assert.equal(await tickets.count(), 2);
  for (let i = 0; i < 2; i += 1) {
    const card = tickets.nth(i);
    assert.match(await card.getByTestId('ticket-event').innerText(), /Noite dos Ingressos/i);
    assert.match(await card.getByTestId('ticket-when').innerText(), /19:00 \((BRT|GMT-3|UTC-3)\)/);
    assert.match(await card.getByTestId('ticket-venue').innerText(), /Casa de Shows Impressa, Belo Horizonte/);
    assert.match(await card.getByTestId('ticket-facts').innerText(), /Mezanino · 1º lote · Inteira/);
    assert.equal(await card.getByTestId('ticket-holder').innerText(), 'Joana Portadora');
    assert.ok(await card.locator('img[alt^="QR Code do ingresso"]').isVisible());
  }
  await screenshots(page, 'tickets-order');

  // Print view: the tickets only.
  await page.emulateMedia({ media: 'print' });
  assert.ok(await tickets.first().isVisible(), 'the tickets print');
  assert.ok(await tickets.first().locator('img').isVisible(), 'with their QR');
  for (const [what, locator] of [
    ['the menu', page.locator('#site-header')],
    ['the refund button', page.getByTestId('refund')],
    ['the print button', page.getByTestId('print')],
    ['the transfer button', page.getByTestId('transfer').first()],
    ['the footer', page.locator('#site-footer')],
    ['the summary', page.getByTestId('order-total')],
  ]) assert.equal(await locator.isVisible(), false, `${what} does not print`);
  // Chromium's own PDF of the page: one ticket per page.
  const pdf = await page.pdf({ format: 'A4', printBackground: true });
  assert.equal(pdfPages(pdf), 2, 'one page per ticket');
  await page.emulateMedia({ media: 'screen' });
  assert.ok(await page.getByTestId('refund').isVisible());

  // "Meus ingressos": the same tickets, grouped by order with their PDF, and print the same way.
  await page.goto(`${BASE_URL}/tickets.html`);
  const group = page.locator(`[data-testid=ticket-group][data-order-id="${order.id}"]`);
  await group.waitFor();
  assert.equal(await group.getByTestId('ticket').count(), 2);
  assert.match(await group.getByTestId('ticket-when').first().innerText(), /19:00/);
  await screenshots(page, 'tickets-list');
  await page.emulateMedia({ media: 'print' });
  assert.equal(await page.locator('#site-header').isVisible(), false);
  assert.equal(await group.getByTestId('tickets-pdf').isVisible(), false);
  await page.emulateMedia({ media: 'screen' });

  // "Baixar PDF": a download, the page stays where it is.
  const pdfMissing = await missing('GET', `/orders/${order.id}/tickets.pdf`, buyer.token);
  if (pdfMissing) { t.diagnostic(pdfMissing); return; }
  const [download] = await Promise.all([page.waitForEvent('download'), group.getByTestId('tickets-pdf').click()]);
  assert.match(download.suggestedFilename(), /^ingressos-[0-9A-F]{6}\.pdf$/);
  const chunks = [];
  for await (const c of await download.createReadStream()) chunks.push(c);
  assert.equal(Buffer.concat(chunks).subarray(0, 5).toString(), '%PDF-');
  assert.match(page.url(), /tickets\.html$/);
  assert.deepEqual(browser.errors.map(String), []);
});
