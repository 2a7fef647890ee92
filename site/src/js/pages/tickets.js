// tickets.html — "Meus ingressos": every ticket of the buyer (bought or received by transfer),
// the valid ones first (with their QR and "Transferir"), then the used and revoked ones.
import { api } from '../api.js';
import { t } from '../i18n.js';
import { initPage, $, h, mount, showError, requireLogin } from '../ui.js';
import { ticketCard, ticketState } from '../ticket-card.js';

const root = $('#tickets-root');

function section(id, titleKey, list) {
  if (!list.length) return null;
  return h('section', { 'aria-labelledby': id },
    h('h2', { id, class: 'text-lg font-bold text-slate-900' }, t(titleKey)),
    h('div', { class: 'mt-3 grid gap-4 sm:grid-cols-2 lg:grid-cols-3', dataset: { testid: `tickets-${id}` } },
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
    mount(root, section('valid', 'tickets.valid', valid), section('past', 'tickets.past', past));
  } catch (err) {
    mount(root, h('p', { class: 'card p-10 text-center text-slate-600' }, t('error.generic')));
    showError(err);
  }
}

await initPage();
if (requireLogin()) await load();
