// orders.html — the buyer's orders with status, the event's date and venue (in its time zone),
// cancel / refund where allowed, and the way back to the event of an order that is over.
import { api } from '../api.js';
import { t, money, shortDateTime } from '../i18n.js';
import { initPage, $, h, mount, showError, statusBadge, requireLogin, confirmDialog, toast, problemText } from '../ui.js';
import { eventDateTime, eventFacts } from '../event-time.js';
import { onReconnect } from '../connection.js';

const root = $('#orders-root');
let names = {};

function row(o) {
  const ev = names[o.event_id];
  const name = o.event_name || ev?.name || t('orders.event');
  const expired = o.status === 'reserved' && o.expires_at && Date.parse(o.expires_at) <= Date.now();
  const status = expired ? 'expired' : o.status;
  const short = o.id.slice(-6);
  const facts = eventFacts(o, ev);
  const ended = ['cancelled', 'expired', 'refunded'].includes(status);
  return h('article', { class: 'card flex flex-col gap-4 p-5 sm:flex-row sm:items-center sm:justify-between', dataset: { testid: 'order-row', orderId: o.id } },
    h('div', { class: 'min-w-0' },
      h('div', { class: 'flex flex-wrap items-center gap-2' },
        h('h2', { class: 'truncate font-bold text-slate-900' }, name), statusBadge(status)),
      facts.startsAt ? h('p', { class: 'text-sm text-slate-700', dataset: { testid: 'order-row-when' } },
        [eventDateTime(facts.startsAt, facts.timeZone, 'medium'), facts.venue].filter(Boolean).join(' · ')) : null,
      h('p', { class: 'mt-1 text-sm text-slate-700' },
        `${o.quantity} × ${o.sector} (${o.price_type === 'half' ? t('events.half') : t('events.full')}) · `,
        h('span', { class: 'font-semibold text-slate-900' }, money(o.total_cents))),
      h('p', { class: 'text-xs text-slate-700' }, `#${short.toUpperCase()} · ${shortDateTime(o.created_at)}`)),
    h('div', { class: 'flex shrink-0 flex-wrap gap-2' },
      h('a', { class: 'btn-primary btn-sm', href: `order.html?id=${encodeURIComponent(o.id)}` }, t('order.view'), h('span', { class: 'sr-only' }, ` #${short}`)),
      o.status === 'reserved' && !expired
        ? h('button', { type: 'button', class: 'btn-secondary btn-sm text-rose-700', dataset: { action: 'cancel', id: o.id } }, t('order.cancel')) : null,
      o.status === 'paid'
        ? h('button', { type: 'button', class: 'btn-secondary btn-sm', dataset: { action: 'refund', id: o.id } }, t('order.refund')) : null,
      ended ? h('a', { class: 'btn-secondary btn-sm', href: `event.html?id=${encodeURIComponent(o.event_id)}`, dataset: { testid: 'row-to-event' } },
        t('order.toEvent'), h('span', { class: 'sr-only' }, `: ${name}`)) : null));
}

async function load() {
  try {
    const orders = await api.orders();
    if (!orders.length) {
      mount(root, h('div', { class: 'card p-10 text-center' },
        h('p', { class: 'text-slate-600' }, t('orders.empty')),
        h('a', { class: 'btn-primary mt-4', href: 'index.html' }, t('orders.browse'))));
      return;
    }
    mount(root, orders.map(row));
  } catch (err) {
    mount(root, h('p', { class: 'card p-10 text-center text-slate-700', role: 'alert' }, problemText(err) || t('error.generic')));
    showError(err, { background: true });
  }
}

root.addEventListener('click', async (e) => {
  const btn = e.target.closest('button[data-action]');
  if (!btn) return;
  const { action, id } = btn.dataset;
  const confirmKey = action === 'cancel' ? 'order.cancelConfirm' : 'order.refundConfirm';
  const textKey = action === 'cancel' ? 'order.cancelText' : 'order.refundText';
  // The buttons say what they do: "Sim, cancelar a reserva" / "Manter reserva".
  if (!(await confirmDialog(t(confirmKey), t(textKey), { danger: true, confirmText: t(`order.${action}Yes`), cancelText: t(`order.${action}Keep`) }))) return;
  btn.disabled = true;
  try {
    await (action === 'cancel' ? api.cancel(id) : api.refund(id));
    toast('success', t(action === 'cancel' ? 'order.cancelled' : 'order.refunded'));
  } catch (err) {
    await showError(err);
  }
  load();
});

await initPage();
if (requireLogin()) {
  // Event names/dates for orders that do not carry them (the public catalogue).
  try { names = Object.fromEntries((await api.events()).map((ev) => [ev.id, ev])); } catch { names = {}; }
  await load();
  onReconnect(load);
}
