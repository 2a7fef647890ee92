// The live dashboard: tickets sold goes up after a sale, without a reload.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, BASE_URL, call, register, adminToken, ADMIN, createEvent, useSession, missing, waitOrder, screenshots } from './helpers.mjs';

const browser = await launch();
after(() => browser.close());

test('the dashboard updates after a sale', { timeout: 3 * 60_000 }, async (t) => {
  const admin = await adminToken();
  const why = (await missing('GET', '/admin/dashboard', admin))
    || (await missing('POST', '/orders/000000000000000000000000/pay', admin, { method: 'card', card_number: '4111111111111111' }));
  const page = await browser.newPage();
  await useSession(page, ADMIN);
  await page.goto(`${BASE_URL}/admin.html`);
  await page.getByTestId('dashboard').waitFor();
  if (why) {
    await page.getByTestId('dash-unavailable').waitFor();
    assert.match(await page.getByTestId('dash-unavailable').innerText(), /ainda não está disponível/);
    t.skip(why);
    return;
  }
  const sold = page.getByTestId('kpi-sold');
  await sold.waitFor();
  const before = Number(await sold.getAttribute('data-value'));

  const ev = await createEvent(admin, { sectors: [{ name: 'Pista', price_cents: 12000, capacity: 50 }, { name: 'VIP', price_cents: 30000, capacity: 10 }] });
  const buyer = await register('dash');
  const r = await call('POST', '/orders', { token: buyer.token, body: { event_id: ev.id, sector: 'VIP', price_type: 'full', quantity: 3 } });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const paid = await call('POST', `/orders/${r.body.id}/pay`, { token: buyer.token, body: { method: 'card', card_number: '4111111111111111' } });
  assert.equal(paid.status, 202, JSON.stringify(paid.body));
  await waitOrder(buyer.token, r.body.id, (o) => o.status === 'paid', 90_000);

  await page.waitForFunction((b) => Number(document.querySelector('[data-testid=kpi-sold]')?.dataset.value) >= b + 3, before, { timeout: 20_000 });
  await page.locator(`#events-tbody tr[data-event-id="${ev.id}"]`).waitFor();
  await screenshots(page, 'dashboard');
  assert.deepEqual(browser.errors.map(String), []);
});
