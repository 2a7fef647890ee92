// API shortcuts for the buyer-side browser tests (issue 16): an event with a lot boundary, a
// paid order (by card, as the local runner offers it), an event cancelled by the admin, and
// axe-core run inside a page.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { call, createEvent, waitOrder } from './helpers.mjs';

/** A card the local runner's fake PSP accepts (…0002 is declined). */
export const GOOD_CARD = '4111111111111111';

/**
 * An event whose sector "Pista" sells 1 ticket at R$ 100 (Lote 1), then 10 at R$ 200 (Lote 2).
 * The event starts in 20 days, at 21:00 in São Paulo.
 */
export async function lotBoundaryEvent(admin, overrides = {}) {
  const startsAt = new Date(Date.now() + 20 * 86400e3);
  startsAt.setUTCHours(0, 0, 0, 0); // 21:00 in São Paulo (UTC−3) the day before
  return createEvent(admin, {
    name: `Virada de Lote ${Date.now().toString(36)}`,
    venue: 'Teatro das Viradas, São Paulo',
    starts_at: startsAt.toISOString(),
    time_zone: 'America/Sao_Paulo',
    sectors: [{
      name: 'Pista',
      price_cents: 10000,
      capacity: 11,
      lots: [
        { name: 'Lote 1', price_cents: 10000, quantity: 1 },
        { name: 'Lote 2', price_cents: 20000, quantity: 10 },
      ],
    }],
    ...overrides,
  });
}

/** Reserves `quantity` full-price tickets of `sector` and pays by card; resolves the paid order. */
export async function paidOrder(buyer, ev, { sector = ev.sectors[0].name, quantity = 1 } = {}) {
  const r = await call('POST', '/orders', { token: buyer.token, body: { event_id: ev.id, sector, price_type: 'full', quantity } });
  assert.equal(r.status, 201, `reserve: ${JSON.stringify(r.body)}`);
  const pay = await call('POST', `/orders/${r.body.id}/pay`, { token: buyer.token, body: { method: 'card', card_number: GOOD_CARD } });
  assert.ok([200, 202].includes(pay.status), `pay: ${pay.status} ${JSON.stringify(pay.body)}`);
  return waitOrder(buyer.token, r.body.id, (o) => o.status === 'paid', 60_000);
}

/** The admin cancels the event (If-Match its version); waits until the cancellation is done. */
export async function cancelEvent(admin, evId) {
  const current = (await call('GET', `/events/${evId}`)).body;
  const r = await call('POST', `/admin/events/${evId}/cancel`, { token: admin, headers: { 'If-Match': `"${current.version}"` } });
  assert.ok([200, 202].includes(r.status), `cancel: ${r.status} ${JSON.stringify(r.body)}`);
  const until = Date.now() + 60_000;
  while (Date.now() < until) {
    const ev = (await call('GET', `/events/${evId}`)).body;
    if (ev?.status === 'cancelled') return ev;
    await new Promise((res) => { setTimeout(res, 500); });
  }
  throw new Error(`event ${evId} not cancelled after a minute`);
}

const require = createRequire(import.meta.url);
const AXE = require.resolve('axe-core/axe.min.js');

/**
 * axe-core's serious and critical violations on the page as it is now (WCAG 2.x A/AA rules),
 * as readable lines: "rule (impact): target — summary".
 */
export async function axeViolations(page) {
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.addScriptTag({ path: AXE });
  const result = await page.evaluate(async () => window.axe.run(document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
    resultTypes: ['violations'],
  }));
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .flatMap((v) => v.nodes.map((n) => `${v.id} (${v.impact}): ${n.target.join(' ')} — ${n.failureSummary?.split('\n').slice(1, 2).join(' ').trim()}`));
}

/** True when the page is no wider than the viewport (no horizontal scrolling). */
export async function overflowingElements(page) {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    if (document.documentElement.scrollWidth <= width) return [];
    return [...document.querySelectorAll('body *')]
      .filter((el) => el.getBoundingClientRect().right > width + 1 && getComputedStyle(el).position !== 'fixed')
      .slice(0, 8)
      .map((el) => `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}.${String(el.className).split(' ').slice(0, 3).join('.')} → ${Math.round(el.getBoundingClientRect().right)}px`);
  });
}
