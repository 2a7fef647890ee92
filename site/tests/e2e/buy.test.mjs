// A buyer signs up, reserves tickets, pays by PIX and sees the tickets with QR codes.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, BASE_URL, call, missing, uniqueEmail, screenshots } from './helpers.mjs';

const browser = await launch();
after(() => browser.close());

test('sign up → buy → pay (PIX) → see tickets', async (t) => {
  const page = await browser.newPage();
  const email = uniqueEmail('pix');

  // Sign up through the form (it logs in and comes back).
  await page.goto(`${BASE_URL}/signup.html?next=index.html`);
  await page.getByLabel('Nome completo').fill('Maria Compradora');
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Senha').fill('senha-segura-123');
  await page.getByTestId('signup-submit').click();
  await page.waitForURL(/\/index\.html$/);
  await page.getByTestId('logout').waitFor();
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'pt-BR');

  // The event list: prices in BRL, availability, search.
  const cards = page.getByTestId('event-card');
  await cards.first().waitFor();
  const events = (await call('GET', '/events')).body;
  const target = events.find((e) => e.status === 'active' && e.sectors.some((s) => s.available >= 2 && (s.half_available ?? s.available) >= 2));
  assert.ok(target, 'a seeded event on sale');
  await screenshots(page, 'events');
  await page.getByTestId('search').fill(target.name.slice(0, 8));
  await assert.doesNotReject(page.locator(`[data-event-id="${target.id}"]`).waitFor());
  assert.match(await page.locator(`[data-event-id="${target.id}"]`).innerText(), /R\$\s?\d{1,3}(\.\d{3})*,\d{2}/);

  // Session survives a reload.
  await page.reload();
  await page.getByTestId('logout').waitFor();

  // Buy: sector, half price, 2 tickets.
  await page.locator(`[data-event-id="${target.id}"] [data-testid=buy-link]`).click();
  await page.waitForURL(/event\.html\?id=/);
  const sector = target.sectors.find((s) => s.available >= 2 && (s.half_available ?? s.available) >= 2);
  await page.locator(`[data-testid=sector-choice][data-sector="${sector.name}"]`).click();
  await page.getByTestId('type-half').check();
  await page.getByTestId('qty').fill('2');
  await page.getByTestId('qty').blur();
  const total = await page.getByTestId('total').innerText();
  assert.equal(total.replace(/\s/g, ' '), new Intl.NumberFormat('pt-BR', { style: 'currency', currency: 'BRL' }).format(sector.half_price_cents * 2 / 100).replace(/\s/g, ' '));
  await screenshots(page, 'purchase');
  await page.getByTestId('reserve').click();
  await page.waitForURL(/order\.html\?id=/);
  const orderId = new URL(page.url()).searchParams.get('id');

  // The hold countdown.
  await page.getByTestId('countdown').waitFor();
  await page.waitForFunction(() => /^\d{2}:\d{2}$/.test(document.querySelector('[data-testid=countdown]')?.textContent || ''));
  await screenshots(page, 'order');

  const payMissing = await missing('POST', '/orders/000000000000000000000000/pay', await page.evaluate(() => localStorage.getItem('bilheteria.token')), { method: 'pix' });
  if (payMissing) { t.skip(payMissing); return; }
  const ticketsMissing = await missing('GET', `/orders/${orderId}/tickets`, await page.evaluate(() => localStorage.getItem('bilheteria.token')));
  if (ticketsMissing) { t.skip(ticketsMissing); return; }

  // Pay by PIX: the QR code of pix_code, then the page turns to "paid" by itself.
  await page.getByTestId('method-pix').check();
  await page.getByTestId('pay').click();
  await page.locator('[data-testid=pix-qr] img, [data-testid=tickets-panel]').first().waitFor({ timeout: 20000 });
  if (await page.getByTestId('pix-qr').isVisible()) {
    assert.ok((await page.getByTestId('pix-code').inputValue()).length > 10, 'the PIX copy-and-paste code');
    await screenshots(page, 'pix');
  }
  await page.locator('[data-testid=order-status][data-status=paid]').waitFor({ timeout: 90000 });
  const tickets = page.getByTestId('ticket');
  await tickets.first().waitFor({ timeout: 30000 });
  assert.equal(await tickets.count(), 2);
  assert.ok(await tickets.first().locator('img[alt]').isVisible(), 'each ticket has a QR code');
  await screenshots(page, 'tickets');

  // My orders lists it as paid.
  await page.goto(`${BASE_URL}/orders.html`);
  await page.locator(`[data-order-id="${orderId}"] [data-status=paid]`).waitFor();
  assert.deepEqual(browser.errors.map(String), []);
});
