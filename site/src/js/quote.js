// Prices before commitment. The event page asks the server what the buyer's selection costs
// now (GET /events/{id}/quote) instead of multiplying the sector's list price: at a lot
// boundary, 3 tickets may all come from the next, dearer lot. The reservation then carries the
// quoted unit price, and a sale that would be at another price is refused (409 price_changed,
// with the new price) — the buyer sees old → new and confirms before anything is reserved.
import { api, ApiError } from './api.js';
import { t, money } from './i18n.js';
import { h, fire } from './ui.js';

/** Wait this long after the last change before asking (typing "12" asks once, not twice). */
const QUOTE_DEBOUNCE_MS = 250;

/**
 * A quoter for one event: `ask(selection)` (debounced; an older answer never overwrites a newer
 * one) calls `onAnswer(selection, quote)` with the server's quote, or with `{ failed: err }`;
 * `{ unsupported: true }` when the server has no quote route (an older server: the page then
 * computes the price from the sector as before).
 */
export function createQuoter(eventId, onAnswer) {
  let timer = null;
  let ctrl = null;
  let unsupported = false;
  return {
    get unsupported() { return unsupported; },
    ask(selection) {
      clearTimeout(timer);
      ctrl?.abort();
      if (unsupported) { onAnswer(selection, { unsupported: true }); return; }
      timer = setTimeout(async () => {
        ctrl = new AbortController();
        const mine = ctrl;
        try {
          const quote = await api.quote(eventId, selection, { signal: mine.signal });
          if (!mine.signal.aborted) onAnswer(selection, quote);
        } catch (err) {
          if (err?.name === 'AbortError' || mine.signal.aborted) return;
          if (err instanceof ApiError && err.notBuilt) unsupported = true;
          onAnswer(selection, unsupported ? { unsupported: true } : { failed: err });
        }
      }, QUOTE_DEBOUNCE_MS);
    },
    cancel() { clearTimeout(timer); ctrl?.abort(); },
  };
}

/** The new price a 409 price_changed names, as a quote. */
export function quoteFromPriceChange(problem, selection) {
  return {
    sector: selection.sector,
    price_type: selection.priceType,
    quantity: Number(problem.quantity) || selection.quantity,
    available: true,
    lot: problem.lot || null,
    unit_price_cents: Number(problem.unit_price_cents),
    total_cents: Number(problem.total_cents),
    code: null,
  };
}

function priceRow(label, before, after, testid) {
  const changed = before != null && before !== after;
  return h('div', { class: 'flex flex-wrap items-baseline justify-between gap-x-3 gap-y-1 py-2' },
    h('dt', { class: 'text-slate-700' }, label),
    h('dd', { class: 'flex items-baseline gap-2', dataset: { testid } },
      changed ? [h('del', { class: 'text-slate-600' }, before), h('span', { 'aria-hidden': 'true' }, '→')] : null,
      changed ? h('span', { class: 'sr-only' }, t('price.nowIs')) : null,
      h('strong', { class: 'text-lg text-slate-900' }, after)));
}

/** The dialog body: what changed, old → new, per ticket and in total. */
function priceChangeBody(before, after) {
  return h('div', { class: 'text-left', dataset: { testid: 'price-change' } },
    h('p', { class: 'text-slate-700' }, t('price.changedText')),
    h('dl', { class: 'mt-3 divide-y divide-slate-200 rounded-xl border border-slate-200 px-4' },
      before?.lot || after.lot ? priceRow(t('order.lot'), before?.lot || null, after.lot || '—', 'price-lot') : null,
      priceRow(t('order.unit'), before ? money(before.unit_price_cents) : null, money(after.unit_price_cents), 'price-unit'),
      priceRow(after.quantity === 1 ? t('price.totalForOne') : t('price.totalFor', { n: after.quantity }), before ? money(before.total_cents) : null, money(after.total_cents), 'price-total')));
}

/**
 * Asks the buyer to accept the new price. `before`: the quote the page showed (may be null).
 * Resolves true to reserve at the new price.
 */
export async function confirmNewPrice(before, after) {
  const r = await fire({
    icon: 'warning',
    titleText: t('price.changedTitle'),
    html: priceChangeBody(before, after),
    showCancelButton: true,
    focusCancel: false,
    confirmButtonText: t('price.accept', { total: money(after.total_cents) }),
    cancelButtonText: t('price.decline'),
  });
  return r.isConfirmed;
}
