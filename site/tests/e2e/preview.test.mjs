// Design preview of the screens whose back-end routes are not built yet (PIX payment, tickets,
// dashboard, inventory): the browser's requests to those routes only are answered with
// contract-shaped sample data (page.route), so the UI is exercised and screenshotted
// (docs/screenshots/*-preview-*.png). Each part skips once the real route exists — the real
// tests (buy, dashboard) cover it then.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, BASE_URL, call, register, adminToken, useSession, missing, screenshots } from './helpers.mjs';

const browser = await launch();
after(() => browser.close());
const json = (body, status = 200) => ({ status, contentType: 'application/json', body: JSON.stringify(body) });

test('preview: PIX payment and tickets (mocked pay/tickets routes)', async (t) => {
  const buyer = await register('preview');
  if (!(await missing('POST', '/orders/000000000000000000000000/pay', buyer.token, { method: 'pix' }))) {
    t.skip('POST /orders/{id}/pay exists — buy.test.mjs covers the real flow');
    return;
  }
  const ev = (await call('GET', '/events')).body.find((e) => e.status === 'active');
  const sector = ev.sectors.find((s) => s.available >= 2);
  const r = await call('POST', '/orders', { token: buyer.token, body: { event_id: ev.id, sector: sector.name, price_type: 'full', quantity: 2 } });
  assert.equal(r.status, 201);
  let order = r.body;
  let polls = 0;
  const page = await browser.newPage();
  await page.route(`**/api/v1/orders/${order.id}/pay`, (route) => {
    order = { ...order, status: 'payment_pending', payment: { method: 'pix', pix_code: `00020126580014br.gov.bcb.pix0136${order.id}5204000053039865802BR5913BILHETERIA6009SAO PAULO62070503***6304ABCD`, declined_reason: null } };
    route.fulfill(json(order, 202));
  });
  await page.route(`**/api/v1/orders/${order.id}`, (route) => {
    if (order.status === 'payment_pending' && ++polls > 3) order = { ...order, status: 'paid', paid_at: new Date().toISOString() };
    route.fulfill(json(order));
  });
  await page.route(`**/api/v1/orders/${order.id}/tickets`, (route) => route.fulfill(json(order.status !== 'paid' ? [] : [1, 2].map((n) => ({
    code: `TK-${order.id.slice(-6).toUpperCase()}-${n}`, order_id: order.id, event_id: ev.id, sector: sector.name, price_type: 'full', seat_number: 100 + n,
    qr_payload: `bilheteria:ticket:${order.id}:${n}`,
  })))));
  await useSession(page, buyer.token);
  await page.goto(`${BASE_URL}/order.html?id=${order.id}`);
  await page.getByTestId('method-pix').check();
  await page.getByTestId('pay').click();
  await page.getByTestId('pix-qr').locator('img').waitFor();
  await screenshots(page, 'pix-preview');
  await page.getByTestId('ticket').first().waitFor({ timeout: 20000 });
  assert.equal(await page.getByTestId('ticket').count(), 2);
  await screenshots(page, 'tickets-preview');
  assert.deepEqual(browser.errors.map(String), []);
});

test('preview: admin dashboard and inventory (mocked dashboard routes)', async (t) => {
  const admin = await adminToken();
  if (!(await missing('GET', '/admin/dashboard', admin))) {
    t.skip('GET /admin/dashboard exists — dashboard.test.mjs covers the real one');
    return;
  }
  const events = (await call('GET', '/events')).body;
  const now = Date.now();
  let sold = 1280;
  const sectorStats = (s, i) => {
    const tickets = Math.round(s.capacity * (0.25 + 0.15 * i));
    return { name: s.name, capacity: s.capacity, tickets_sold: tickets, tickets_held: 3 + i, tickets_available: s.capacity - tickets - 3 - i,
      gross_revenue_cents: tickets * s.price_cents * 0.8,
      by_price_type: { full: { tickets_sold: Math.round(tickets * 0.6), tickets_held: 2, gross_revenue_cents: 0 }, half: { tickets_sold: tickets - Math.round(tickets * 0.6), tickets_held: 1, gross_revenue_cents: 0 } } };
  };
  const dashboard = () => {
    sold += 7;
    const evs = events.map((e) => {
      const sectors = e.sectors.map(sectorStats);
      const sum = (k) => sectors.reduce((a, s) => a + s[k], 0);
      return { id: e.id, name: e.name, status: e.status, tickets_sold: sum('tickets_sold'), tickets_held: sum('tickets_held'), tickets_available: sum('tickets_available'),
        gross_revenue_cents: sum('gross_revenue_cents'), refunded_cents: 12000, conversion: 0.72, sectors };
    });
    return {
      generated_at: new Date().toISOString(),
      totals: { tickets_sold: sold, tickets_held: 42, tickets_available: 9000, gross_revenue_cents: 48_372_000, refunded_cents: 56_000, net_revenue_cents: 48_316_000, orders_reserved: 900, orders_paid: 650, conversion: 0.722 },
      sales_per_minute: Array.from({ length: 30 }, (_, i) => ({ at: new Date(now - (29 - i) * 60e3).toISOString(), tickets: Math.round(8 + 6 * Math.sin(i / 3) + (i % 5)), revenue_cents: Math.round((8 + 6 * Math.sin(i / 3)) * 21000) })),
      sales_per_day: [],
      events: evs,
    };
  };
  const page = await browser.newPage();
  await page.route('**/api/v1/admin/dashboard', (route) => route.fulfill(json(dashboard())));
  await page.route('**/api/v1/admin/events/*/inventory', (route) => {
    const id = route.request().url().split('/').at(-2);
    const e = events.find((x) => x.id === id) || events[0];
    route.fulfill(json({ event_id: id, topology: 'single-node', note: 'Servidor único: os buckets de estoque não estão distribuídos em shards.',
      buckets: e.sectors.flatMap((s) => [0, 1, 2, 3].map((b) => ({ id: `${id}-${s.name}-${b}`, sector: s.name, bucket: b, available: Math.floor(s.available / 4), capacity: Math.floor(s.capacity / 4), shard: null }))) }));
  });
  await useSession(page, admin);
  await page.goto(`${BASE_URL}/admin.html`);
  const kpi = page.getByTestId('kpi-sold');
  await kpi.waitFor();
  const first = Number(await kpi.getAttribute('data-value'));
  await page.waitForFunction((b) => Number(document.querySelector('[data-testid=kpi-sold]')?.dataset.value) > b, first, { timeout: 12000 });
  await screenshots(page, 'dashboard-preview');
  await page.locator('[data-inventory]').first().click();
  await page.getByTestId('topology').waitFor();
  await page.screenshot({ path: new URL('../../../docs/screenshots/inventory-preview-desktop.png', import.meta.url).pathname });
  assert.deepEqual(browser.errors.map(String), []);
});
