// orders.html — the buyer's orders with status, and cancel / refund where allowed.
import { api } from '../api.js';
import { t, money, shortDateTime, dateTime } from '../i18n.js';
import { initPage, $, esc, showError, statusBadge, requireLogin, confirmDialog, toast } from '../ui.js';

const root = $('#orders-root');
let names = {};

function row(o) {
  const ev = names[o.event_id];
  const name = o.event_name || ev?.name || t('orders.event');
  const expired = o.status === 'reserved' && o.expires_at && Date.parse(o.expires_at) <= Date.now();
  const status = expired ? 'expired' : o.status;
  return `<article class="card flex flex-col gap-4 p-5 sm:flex-row sm:items-center sm:justify-between" data-testid="order-row" data-order-id="${esc(o.id)}">
    <div class="min-w-0">
      <div class="flex flex-wrap items-center gap-2">
        <h2 class="truncate font-bold text-slate-900">${esc(name)}</h2>${statusBadge(status)}
      </div>
      ${ev ? `<p class="text-sm text-slate-500">${esc(dateTime(ev.starts_at, { dateStyle: 'medium', timeStyle: 'short' }))} · ${esc(ev.venue)}</p>` : ''}
      <p class="mt-1 text-sm text-slate-600">${esc(o.quantity)} × ${esc(o.sector)} (${esc(o.price_type === 'half' ? t('events.half') : t('events.full'))})
        · <span class="font-semibold text-slate-900">${esc(money(o.total_cents))}</span></p>
      <p class="text-xs text-slate-400">#${esc(o.id.slice(-6).toUpperCase())} · ${esc(shortDateTime(o.created_at))}</p>
    </div>
    <div class="flex shrink-0 flex-wrap gap-2">
      <a class="btn-primary btn-sm" href="order.html?id=${encodeURIComponent(o.id)}">${esc(t('order.view'))}<span class="sr-only"> #${esc(o.id.slice(-6))}</span></a>
      ${o.status === 'reserved' && !expired ? `<button type="button" class="btn-secondary btn-sm text-rose-700" data-action="cancel" data-id="${esc(o.id)}">${esc(t('order.cancel'))}</button>` : ''}
      ${o.status === 'paid' ? `<button type="button" class="btn-secondary btn-sm" data-action="refund" data-id="${esc(o.id)}">${esc(t('order.refund'))}</button>` : ''}
    </div>
  </article>`;
}

async function load() {
  try {
    const orders = await api.orders();
    if (!orders.length) {
      root.innerHTML = `<div class="card p-10 text-center"><p class="text-slate-600">${esc(t('orders.empty'))}</p>
        <a class="btn-primary mt-4" href="index.html">${esc(t('orders.browse'))}</a></div>`;
      return;
    }
    root.innerHTML = orders.map(row).join('');
  } catch (err) {
    root.innerHTML = `<p class="card p-10 text-center text-slate-600">${esc(t('error.generic'))}</p>`;
    showError(err);
  }
}

root.addEventListener('click', async (e) => {
  const btn = e.target.closest('button[data-action]');
  if (!btn) return;
  const { action, id } = btn.dataset;
  const confirmKey = action === 'cancel' ? 'order.cancelConfirm' : 'order.refundConfirm';
  const textKey = action === 'cancel' ? 'order.cancelText' : 'order.refundText';
  if (!(await confirmDialog(t(confirmKey), t(textKey), { danger: true, confirmText: t(`order.${action}`) }))) return;
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
}
