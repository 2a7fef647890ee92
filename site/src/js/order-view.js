// The parts of the order page that only draw (order.js keeps the state, the polling and the
// actions): the event (date and venue in the event's time zone), the summary with its
// actions, the notice of an order that is over (and the way back to the event), the PIX box
// and the tickets panel (print, PDF).
import { t, money, shortDateTime } from './i18n.js';
import { h } from './ui.js';
import { icon, spinner } from './dom.js';
import { entitlementLabel } from './entitlement.js';
import { eventDateTime, eventFacts } from './event-time.js';

export const ENDED = ['cancelled', 'expired', 'refunded'];
const typeLabel = (pt) => (pt === 'half' ? t('event.half') : t('event.full'));
const eventUrl = (order) => `event.html?id=${encodeURIComponent(order.event_id)}`;
const eventCancelled = (facts) => facts.status === 'cancelled' || facts.status === 'cancelling';

const dlRow = (label, value, { testid, cls = 'font-medium text-right' } = {}) => h('div', { class: 'flex justify-between gap-3' },
  h('dt', { class: 'shrink-0 text-slate-600' }, label), h('dd', { class: `min-w-0 break-words ${cls}`, dataset: { testid } }, value));

/** The event's name, date (in its own time zone) and venue. */
export function eventBlock(order, event) {
  const facts = eventFacts(order, event);
  return [
    h('p', { class: 'mt-2 break-words font-semibold text-slate-800', dataset: { testid: 'order-event-name' } }, event?.name || order.event_name || ''),
    facts.startsAt ? h('p', { class: 'text-sm text-slate-700', dataset: { testid: 'order-event-when' } },
      h('time', { datetime: facts.startsAt }, eventDateTime(facts.startsAt, facts.timeZone))) : null,
    facts.venue ? h('p', { class: 'flex items-center gap-1 text-sm text-slate-700', dataset: { testid: 'order-event-venue' } }, icon('pin', 'h-4 w-4 shrink-0'), facts.venue) : null,
  ];
}

/** The summary card: event, what was bought, the total, and cancel / refund where allowed. */
export function summaryCard(order, event, { canCancel, canRefund }) {
  return h('aside', { class: 'card p-5 sm:p-6 no-print', 'aria-labelledby': 'sum-title' },
    h('h2', { id: 'sum-title', class: 'text-lg font-bold text-slate-900' }, t('event.summary')),
    eventBlock(order, event),
    h('dl', { class: 'mt-4 space-y-2 text-sm' },
      dlRow(t('order.sector'), order.sector, { testid: 'order-sector' }),
      order.lot ? dlRow(t('order.lot'), order.lot, { testid: 'order-lot' }) : null,
      dlRow(t('order.type'), typeLabel(order.price_type)),
      order.price_type === 'half' && order.entitlement ? dlRow(t('order.entitlement'), entitlementLabel(order.entitlement)) : null,
      dlRow(t('order.quantity'), String(order.quantity)),
      dlRow(t('order.unit'), money(order.unit_price_cents), { testid: 'order-unit' }),
      dlRow(t('order.created'), shortDateTime(order.created_at)),
      order.paid_at ? dlRow(t('order.paidAt'), shortDateTime(order.paid_at)) : null,
      order.refunded_at ? dlRow(t('order.refundedAt'), shortDateTime(order.refunded_at)) : null,
      h('div', { class: 'flex justify-between gap-2 border-t border-slate-200 pt-3 text-base' },
        h('dt', { class: 'font-semibold' }, t('order.total')),
        h('dd', { class: 'text-xl font-extrabold text-slate-900', dataset: { testid: 'order-total' } }, money(order.total_cents)))),
    canCancel ? h('button', { type: 'button', id: 'cancel-btn', class: 'btn-secondary mt-5 w-full text-rose-800', dataset: { testid: 'cancel' } }, t('order.cancel')) : null,
    canRefund ? h('button', { type: 'button', id: 'refund-btn', class: 'btn-secondary mt-5 w-full', dataset: { testid: 'refund' } }, t('order.refund')) : null);
}

/** Why an order that is over is over, and where to go from here (its event, other events). */
export function endedNotice(order, event, { expired }) {
  const status = expired ? 'expired' : order.status;
  if (!ENDED.includes(status)) return null;
  const facts = eventFacts(order, event);
  const cancelledEvent = eventCancelled(facts);
  let key = `order.ended.${status}`;
  if (cancelledEvent && status === 'refunded') key = 'order.ended.refundedEventCancelled';
  else if (cancelledEvent && status === 'cancelled') key = 'order.ended.cancelledEventCancelled';
  const tone = cancelledEvent ? 'border-rose-200 bg-rose-50 text-rose-900' : 'border-slate-200 bg-white text-slate-800';
  return h('section', { class: `card p-5 sm:p-6 ${tone}`, role: 'status', dataset: { testid: 'order-ended', reason: key.split('.').pop() } },
    h('h2', { class: 'text-lg font-bold' }, t(`${key}.title`)),
    h('p', { class: 'mt-1' }, t(`${key}.text`, { total: money(order.total_cents) })),
    h('div', { class: 'mt-4 flex flex-wrap gap-2' },
      h('a', { class: cancelledEvent ? 'btn-secondary' : 'btn-primary', href: eventUrl(order), dataset: { testid: 'back-to-event' } },
        cancelledEvent ? t('order.toEventCancelled') : t('order.toEvent')),
      h('a', { class: 'btn-secondary', href: 'index.html' }, t('orders.browse'))));
}

/** How many rows the PIX code needs at ~40 characters a row (it then scrolls inside itself). */
const pixRows = (code) => Math.min(8, Math.max(3, Math.ceil(String(code || '').length / 40)));

/** The PIX charge: its QR, the copy-and-paste code (wrapped, scrolling inside) and a copy button. */
export function pixBox(code) {
  return h('div', { class: 'mt-4 flex flex-col items-center gap-4 sm:flex-row sm:items-start' },
    h('div', { id: 'pix-qr', class: 'max-w-full rounded-xl border border-slate-200 bg-white p-2', dataset: { testid: 'pix-qr' } }),
    h('div', { class: 'w-full min-w-0 flex-1' },
      h('p', { class: 'text-sm text-slate-600' }, t('order.pixScan')),
      h('label', { for: 'pix-code', class: 'label mt-3' }, t('order.pixCode')),
      h('textarea', {
        id: 'pix-code', readonly: true, rows: pixRows(code), spellcheck: 'false', value: code, dataset: { testid: 'pix-code' },
        class: 'input max-h-48 w-full resize-none overflow-y-auto whitespace-pre-wrap break-all font-mono text-xs leading-relaxed',
      }),
      h('button', { type: 'button', id: 'pix-copy', class: 'btn-secondary mt-2 w-full sm:w-auto', dataset: { testid: 'pix-copy' } }, t('order.pixCopy')),
      // Filled by mountSimulate() on the local runner only.
      h('div', { id: 'pix-dev' })));
}

/** The paid order's tickets: a header with "Imprimir" and "Baixar PDF", then the cards (#tickets). */
export function ticketsPanel(order) {
  if (order.status !== 'paid') return null;
  return h('section', { class: 'card overflow-hidden', 'aria-labelledby': 'tickets-title', dataset: { testid: 'tickets-panel' } },
    h('div', { class: 'flex flex-wrap items-center justify-between gap-3 border-b border-slate-100 bg-emerald-50 p-5' },
      h('div', null,
        h('h2', { id: 'tickets-title', class: 'text-lg font-bold text-emerald-900' }, t('order.tickets')),
        h('p', { class: 'text-sm text-emerald-900' }, t('order.paidText'))),
      h('div', { class: 'flex flex-wrap gap-2' },
        h('button', { type: 'button', class: 'btn-secondary', id: 'print-btn', dataset: { testid: 'print' } }, t('order.print')),
        h('button', { type: 'button', class: 'btn-secondary', id: 'pdf-btn', dataset: { testid: 'tickets-pdf' } }, t('order.pdf')))),
    h('div', { id: 'tickets', class: 'grid gap-4 p-5 sm:grid-cols-2', dataset: { testid: 'tickets' } }, h('div', { class: 'skeleton h-64' })));
}

/** The hold card's body while the API cannot be reached: the countdown cannot be trusted. */
export function holdOffline() {
  return h('p', { class: 'mt-2 flex items-center gap-2 text-sm font-semibold text-rose-800', dataset: { testid: 'hold-offline' } },
    spinner('h-4 w-4'), t('order.holdOffline'));
}
