// A 1-ticket event: the first buyer takes it, the second sees the 409 message (in Portuguese,
// without the server's English detail or an HTTP status) and "Esgotado".
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, BASE_URL, call, register, adminToken, createEvent, useSession, swalText, closeSwal } from './helpers.mjs';

const browser = await launch();
after(() => browser.close());

test('a sold-out sector shows the 409 message and "esgotado"', async () => {
  const admin = await adminToken();
  const ev = await createEvent(admin, { name: `Show Íntimo ${Date.now().toString(36)}`, sectors: [{ name: 'Poltrona única', price_cents: 15000, capacity: 1 }] });
  const first = await register('first');
  const second = await register('second');

  // The second buyer is on the event page while the ticket is still there…
  const page = await browser.newPage();
  await useSession(page, second);
  await page.goto(`${BASE_URL}/event.html?id=${ev.id}`);
  await page.locator('[data-testid=sector-choice] input:not([disabled])').first().waitFor();

  // …the first buyer takes it…
  const r = await call('POST', '/orders', { token: first.token, body: { event_id: ev.id, sector: 'Poltrona única', price_type: 'full', quantity: 1 } });
  assert.equal(r.status, 201, JSON.stringify(r.body));

  // …and the second buyer's attempt answers 409, shown as a SweetAlert2 message (unless the
  // live refresh already marked the sector sold out and disabled the button).
  const reserve = page.getByTestId('reserve');
  if (await reserve.isEnabled()) {
    await reserve.click();
    const text = await swalText(page);
    assert.match(text, /indispon[ií]ve|esgot/i);
    assert.doesNotMatch(text, /sold out|HTTP|409/i, 'no server detail or status for buyers');
    await closeSwal(page);
  }
  await page.reload();
  const badge = page.locator('[data-testid=sector-choice] [data-testid=availability]');
  await badge.waitFor();
  assert.equal(await badge.getAttribute('data-availability'), 'soldout');
  assert.match(await badge.innerText(), /esgotado/i);
  assert.ok(await page.getByTestId('reserve').isDisabled());

  // The list says so too, and a direct API attempt is a 409.
  await page.goto(`${BASE_URL}/index.html`);
  const card = page.locator(`[data-event-id="${ev.id}"]`);
  await card.waitFor();
  assert.match(await card.innerText(), /esgotado/i);
  const again = await call('POST', '/orders', { token: second.token, body: { event_id: ev.id, sector: 'Poltrona única', price_type: 'full', quantity: 1 } });
  assert.equal(again.status, 409);
  assert.deepEqual(browser.errors.map(String), []);
});
