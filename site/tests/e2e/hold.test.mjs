// The hold countdown on the order page (and its expiry when the server runs a short hold).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, BASE_URL, call, register, useSession, SHORT_HOLD } from './helpers.mjs';

const browser = await launch();
after(() => browser.close());

test('the hold countdown is shown (and says when the hold expired)', { timeout: 5 * 60_000 }, async () => {
  const buyer = await register('hold');
  const events = (await call('GET', '/events')).body;
  const ev = events.find((e) => e.status === 'active' && e.sectors.some((s) => s.available > 0));
  const sector = ev.sectors.find((s) => s.available > 0);
  const r = await call('POST', '/orders', { token: buyer.token, body: { event_id: ev.id, sector: sector.name, price_type: 'full', quantity: 1 } });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const order = r.body;

  const page = await browser.newPage();
  await useSession(page, buyer);
  await page.goto(`${BASE_URL}/order.html?id=${order.id}`);
  const countdown = page.getByTestId('countdown');
  await countdown.waitFor();
  await page.waitForFunction(() => /^\d{2}:\d{2}$/.test(document.querySelector('[data-testid=countdown]')?.textContent || ''));
  const [mm, ss] = (await countdown.innerText()).split(':').map(Number);
  const shown = mm * 60 + ss;
  const expected = (Date.parse(order.expires_at) - Date.now()) / 1000;
  assert.ok(Math.abs(shown - expected) <= 5, `countdown ${shown}s vs expires_at in ${expected.toFixed(0)}s`);
  assert.ok(ss < 60);
  await page.waitForTimeout(2100);
  const later = (await countdown.innerText()).split(':').map(Number);
  assert.ok(later[0] * 60 + later[1] < shown, 'the countdown ticks');
  assert.match(await page.locator('#countdown-sr').innerText(), /expira em \d{2}:\d{2}/);

  if (SHORT_HOLD) {
    const wait = Math.max(0, Date.parse(order.expires_at) - Date.now()) + 30_000;
    await page.getByTestId('hold-expired').waitFor({ timeout: wait });
    assert.match(await page.getByTestId('hold-expired').innerText(), /expirou/);
    assert.equal(await page.getByTestId('pay').count(), 0, 'no payment after expiry');
  }
  assert.deepEqual(browser.errors.map(String), []);
});
