// A buyer's ticket as a card (order page and "Meus ingressos"): event, its date and venue (in
// the event's time zone), sector, lot, price type, holder (name and masked CPF), the half-price
// notice with its entitlement, the state (valid, used at the gate, revoked), the QR while it is
// valid, and "Transferir" (POST /tickets/{code}/transfer). Each card is `.ticket-card`: the
// print stylesheet prints these and nothing else, one per page.
import { api } from './api.js';
import { t, shortDateTime } from './i18n.js';
import { eventDateTime, eventFacts } from './event-time.js';
import {
  h, fire, validation, qrImage, problemText, errorTitle, alertMsg, Swal,
} from './ui.js';
import { ENTITLEMENT_CODES, entitlementLabel } from './entitlement.js';

const typeLabel = (pt) => (pt === 'half' ? t('event.half') : t('event.full'));
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** 'valid' | 'used' | 'revoked' (an older server without `state`: valid). */
export const ticketState = (tk) => (['valid', 'used', 'revoked'].includes(tk?.state) ? tk.state : 'valid');

/** Whether "Transferir" is offered: the server's `transferable`, else any valid ticket. */
export const canTransfer = (tk) => (typeof tk?.transferable === 'boolean' ? tk.transferable : ticketState(tk) === 'valid');

function stateBadge(tk) {
  const st = ticketState(tk);
  if (st === 'used') return h('span', { class: 'badge-slate', dataset: { testid: 'ticket-state', state: st } }, t('ticket.state.used'));
  if (st === 'revoked') {
    const key = ['refunded', 'cancelled', 'transferred'].includes(tk.reason) ? `ticket.revoked.${tk.reason}` : 'ticket.state.revoked';
    return h('span', { class: 'badge-red', dataset: { testid: 'ticket-state', state: st } }, t(key));
  }
  return h('span', { class: 'badge-green', dataset: { testid: 'ticket-state', state: st } }, t('ticket.state.valid'));
}

/** The yellow "MEIA — conferir documento" box with the entitlement. */
export function halfBox(tk) {
  if (tk?.price_type !== 'half') return null;
  return h('div', { class: 'mt-3 w-full rounded-xl bg-yellow-300 p-3 text-left text-slate-950', dataset: { testid: 'ticket-half' } },
    h('p', { class: 'font-black tracking-tight' }, t('gate.halfNotice')),
    h('p', { class: 'text-sm font-semibold' }, tk.entitlement ? entitlementLabel(tk.entitlement) : t('gate.entitlementUnknown')),
    h('p', { class: 'mt-1 text-xs' }, t('ticket.halfDocument')));
}

/**
 * The card of one ticket. `count`: how many tickets the order has (for "ingresso 2 de 3");
 * `eventName` and `event` ({ startsAt, venue, timeZone }): fallbacks when the ticket does not
 * carry its event's name, date and venue; `onTransferred(newTicket)`.
 */
export function ticketCard(tk, { count = null, eventName = '', event = null, onTransferred } = {}) {
  const st = ticketState(tk);
  const when = eventFacts(tk);
  const startsAt = when.startsAt || event?.startsAt || null;
  const venue = when.venue || event?.venue || '';
  const zone = when.timeZone || event?.timeZone || null;
  const facts = [tk.sector, tk.lot, typeLabel(tk.price_type), tk.position != null && count ? t('order.position', { n: tk.position, of: count }) : null].filter(Boolean);
  const row = (label, value, testid) => (value ? h('div', { class: 'flex justify-between gap-3' },
    h('dt', { class: 'text-slate-600' }, label), h('dd', { class: 'text-right font-medium text-slate-900', dataset: { testid } }, value)) : null);
  return h('article', {
    class: `ticket-card flex min-w-0 flex-col items-center rounded-xl border border-dashed p-4 text-center ${st === 'valid' ? 'border-slate-300 bg-white' : 'border-slate-200 bg-slate-50'}`,
    dataset: { testid: 'ticket', code: tk.code, state: st },
  },
  h('div', { class: 'flex w-full items-start justify-between gap-2' },
    h('p', { class: 'min-w-0 break-words text-left text-sm font-bold uppercase tracking-wide text-brand-800', dataset: { testid: 'ticket-event' } }, tk.event_name || eventName || ''),
    stateBadge(tk)),
  startsAt ? h('p', { class: 'mt-1 w-full text-left text-sm font-semibold text-slate-900', dataset: { testid: 'ticket-when' } },
    h('time', { datetime: startsAt }, eventDateTime(startsAt, zone, 'medium'))) : null,
  venue ? h('p', { class: 'w-full break-words text-left text-sm text-slate-700', dataset: { testid: 'ticket-venue' } }, venue) : null,
  h('p', { class: 'mt-1 w-full text-left text-sm text-slate-700', dataset: { testid: 'ticket-facts' } }, facts.join(' · ')),
  h('dl', { class: 'mt-3 w-full space-y-1 text-sm' },
    row(t('ticket.holder'), tk.holder?.name, 'ticket-holder'),
    row(t('ticket.cpf'), tk.holder?.cpf_masked, 'ticket-cpf')),
  st === 'revoked' ? null : halfBox(tk),
  st === 'valid'
    ? h('div', { class: 'my-3' }, qrImage(tk.qr_payload || tk.code, t('order.ticketQrAlt', { code: tk.code }), 180))
    : h('p', { class: 'my-4 w-full rounded-lg bg-white p-3 text-sm text-slate-700', dataset: { testid: 'ticket-state-text' } },
      st === 'used'
        ? (tk.checked_in_at ? t('ticket.usedAt', { when: shortDateTime(tk.checked_in_at), gate: tk.gate || '—' }) : t('ticket.state.used'))
        : t('ticket.revokedText')),
  h('p', { class: 'text-xs text-slate-700' }, t('order.ticketCode')),
  h('p', { class: 'break-all font-mono text-sm font-semibold text-slate-900', dataset: { testid: 'ticket-code' } }, tk.code),
  canTransfer(tk) ? h('button', {
    type: 'button', class: 'btn-secondary mt-4 w-full print:hidden', dataset: { testid: 'transfer' },
    onclick: async (e) => {
      const btn = e.currentTarget;
      btn.disabled = true;
      try {
        const fresh = await transferDialog(tk);
        if (fresh) onTransferred?.(fresh);
      } finally {
        btn.disabled = false;
      }
    },
  }, t('ticket.transfer'), h('span', { class: 'sr-only' }, ` ${tk.code}`)) : null);
}

/** Asks the recipient's e-mail (and entitlement, for half price) and transfers. The new ticket, or null. */
export async function transferDialog(tk) {
  const half = tk.price_type === 'half';
  const email = h('input', {
    id: 'transfer-email', type: 'email', class: 'input', autocomplete: 'email', required: true, inputmode: 'email',
    'aria-describedby': 'transfer-note', dataset: { testid: 'transfer-email' },
  });
  const entitlement = half ? h('select', { id: 'transfer-entitlement', class: 'input', required: true, dataset: { testid: 'transfer-entitlement' } },
    h('option', { value: '' }, t('entitlement.choose')),
    ENTITLEMENT_CODES.map((c) => h('option', { value: c }, entitlementLabel(c)))) : null;
  const form = h('form', { class: 'space-y-3 text-left', novalidate: true, onsubmit: (e) => { e.preventDefault(); Swal.clickConfirm(); } },
    h('p', { class: 'text-sm text-slate-700' }, [tk.event_name, tk.sector, typeLabel(tk.price_type)].filter(Boolean).join(' · ')),
    h('div', null, h('label', { for: 'transfer-email', class: 'label' }, t('ticket.transferEmail')), email),
    half ? h('div', null,
      h('label', { for: 'transfer-entitlement', class: 'label' }, t('ticket.transferEntitlement')), entitlement,
      h('p', { class: 'mt-1 text-xs text-slate-600' }, t('ticket.transferHalfNote'))) : null,
    h('p', { id: 'transfer-note', class: 'text-xs text-slate-600' }, t('ticket.transferNote')));
  const r = await fire({
    titleText: t('ticket.transferTitle'),
    html: form,
    showCancelButton: true,
    confirmButtonText: t('ticket.transferConfirm'),
    cancelButtonText: t('common.cancel'),
    focusConfirm: false,
    showLoaderOnConfirm: true,
    allowOutsideClick: () => !Swal.isLoading(),
    didOpen: () => email.focus(),
    preConfirm: async () => {
      const to = email.value.trim();
      if (!EMAIL.test(to)) { validation(t('ticket.transferEmailInvalid')); email.focus(); return false; }
      const ent = entitlement?.value || null;
      if (half && !ent) { validation(t('problem.entitlement_required')); entitlement.focus(); return false; }
      try {
        const answer = await api.transferTicket(tk.code, to, ent);
        return { to, ticket: answer?.ticket || null };
      } catch (err) {
        validation(problemText(err) || errorTitle(err));
        return false;
      }
    },
  });
  if (!r.isConfirmed || !r.value) return null;
  await alertMsg('success', t('ticket.transferred'), t('ticket.transferredText', { email: r.value.to }));
  return r.value.ticket || {};
}
