// tickets.html — "Meus ingressos": every ticket of the buyer (bought or received by transfer).
// The valid ones first, grouped by order (each group with "Baixar PDF"), with their QR and
// "Transferir"; then the used and revoked ones (left out of printing: see styles.css).
import { api } from '../api.js';
import { t } from '../i18n.js';
import { initPage, $, h, mount, showError, requireLogin, problemText } from '../ui.js';
import { ticketCard, ticketState } from '../ticket-card.js';
import { downloadTicketsPdf } from '../tickets-pdf.js';
import { onReconnect } from '../connection.js';

const root = $('#tickets-root');

/** The valid tickets of one order: its event, "Baixar PDF" and the cards. */
function orderGroup(orderId, list) {
  const first = list[0];
  const short = String(orderId || '').slice(-6).toUpperCase();
  return h('div', { class: 'min-w-0', dataset: { testid: 'ticket-group', orderId } },
    h('div', { class: 'no-print flex flex-wrap items-center justify-between gap-2' },
      h('h3', { class: 'min-w-0 break-words font-semibold text-slate-900' }, first.event_name || t('orders.event'),
        short ? h('span', { class: 'ml-2 font-mono text-sm font-normal text-slate-700' }, `#${short}`) : null),
      orderId ? h('div', { class: 'flex gap-2' },
        h('a', { class: 'btn-secondary btn-sm', href: `order.html?id=${encodeURIComponent(orderId)}` }, t('order.view'), h('span', { class: 'sr-only' }, ` #${short}`)),
        h('button', {
          type: 'button', class: 'btn-secondary btn-sm', dataset: { testid: 'tickets-pdf' },
          onclick: (e) => downloadTicketsPdf(orderId, e.currentTarget),
        }, t('order.pdf'), h('span', { class: 'sr-only' }, ` #${short}`))) : null),
    h('div', { class: 'mt-3 grid gap-4 sm:grid-cols-2 lg:grid-cols-3' },
      list.map((tk) => ticketCard(tk, { onTransferred: load }))));
}

function validSection(list) {
  if (!list.length) return null;
  const byOrder = new Map();
  for (const tk of list) {
    const key = tk.order_id || '';
    if (!byOrder.has(key)) byOrder.set(key, []);
    byOrder.get(key).push(tk);
  }
  return h('section', { 'aria-labelledby': 'valid', class: 'min-w-0' },
    h('div', { class: 'no-print flex flex-wrap items-center justify-between gap-2' },
      h('h2', { id: 'valid', class: 'text-lg font-bold text-slate-900' }, t('tickets.valid')),
      h('button', { type: 'button', class: 'btn-secondary btn-sm', dataset: { testid: 'print' }, onclick: () => window.print() }, t('order.print'))),
    h('div', { class: 'mt-3 space-y-6', dataset: { testid: 'tickets-valid' } },
      [...byOrder].map(([orderId, tickets]) => orderGroup(orderId, tickets))));
}

function pastSection(list) {
  if (!list.length) return null;
  return h('section', { 'aria-labelledby': 'past', class: 'no-print min-w-0' },
    h('h2', { id: 'past', class: 'text-lg font-bold text-slate-900' }, t('tickets.past')),
    h('div', { class: 'mt-3 grid gap-4 sm:grid-cols-2 lg:grid-cols-3', dataset: { testid: 'tickets-past' } },
      list.map((tk) => ticketCard(tk, { onTransferred: load }))));
}

async function load() {
  try {
    const all = await api.myTickets();
    if (!all.length) {
      mount(root, h('div', { class: 'card p-10 text-center' },
        h('p', { class: 'text-slate-600' }, t('tickets.empty')),
        h('a', { class: 'btn-primary mt-4', href: 'index.html' }, t('orders.browse'))));
      return;
    }
    const valid = all.filter((tk) => ticketState(tk) === 'valid');
    const past = all.filter((tk) => ticketState(tk) !== 'valid');
    mount(root, validSection(valid), pastSection(past));
  } catch (err) {
    mount(root, h('p', { class: 'card p-10 text-center text-slate-700', role: 'alert' }, problemText(err) || t('error.generic')));
    showError(err, { background: true });
  }
}

await initPage();
if (requireLogin()) {
  await load();
  onReconnect(load);
}
