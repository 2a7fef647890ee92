// order.html?id= — the hold countdown, payment (PIX / card), live status and the tickets (each
// with its holder, the half-price notice and "Transferir": ticket-card.js).
// Paying needs a verified e-mail (403 email_unverified): the page says so and offers to send
// the verification link again.
//
// Only the methods the order offers (`payment_methods`: ['pix'] in production, ['pix', 'card']
// on the local runner) are shown. A PIX charge is created at the PSP when the buyer pays; the
// order stays payment_pending until the PSP's webhook confirms it, and the page polls it (at
// most every 2 s) until it is paid. On the local runner with a fake PSP (GET /dev/pix → 200) a
// "Simular pagamento" button under the PIX code has the fake PSP pay the charge.
//
// While the API cannot be reached the countdown says it is paused (the order may have been
// paid or expired meanwhile: the page cannot know); when it answers again the order is read
// anew. An order that is over (expired, cancelled, refunded) says why and links back to its
// event. The drawing lives in order-view.js.
import { api, session, ApiError } from '../api.js';
import { t, money } from '../i18n.js';
import {
  initPage, $, h, mount, param, showError, statusBadge, qrImage, requireLogin, confirmDialog, alertMsg, toast,
  problemText,
} from '../ui.js';
import { spinner } from '../dom.js';
import { explainUnverified } from '../prompts.js';
import { ticketCard } from '../ticket-card.js';
import { ORDER_POLL_MS } from '../config.js';
import { isOnline, onConnectionChange, onReconnect } from '../connection.js';
import { problemMessage } from '../problems.js';
import { eventFacts } from '../event-time.js';
import {
  summaryCard, endedNotice, pixBox, ticketsPanel, holdOffline,
} from '../order-view.js';
import { downloadTicketsPdf } from '../tickets-pdf.js';

const id = param('id');
const root = $('#order-root');
let order = null;
let event = null;
let tickets = null;
let renderedKey = '';
let awaitingPayment = false;
let pollTimer = null;
let pollFailing = false;
let method = 'pix';
let cardNumber = '';
/** Set when the server refused a card payment (422 card_unavailable): card is not offered then. */
let cardRefused = false;

const LIVE = ['reserved', 'payment_pending'];
/** The methods this page knows how to pay with. */
const METHODS = ['pix', 'card'];
/** While a payment is pending (a PIX charge waiting for the PSP's webhook), the order is polled at least this often. */
const PIX_POLL_MS = Math.min(ORDER_POLL_MS, 2000);

/** The methods the order offers (an older server without `payment_methods` offered both). */
function offeredMethods() {
  const listed = Array.isArray(order.payment_methods) ? order.payment_methods : METHODS;
  const known = listed.filter((m) => METHODS.includes(m) && !(m === 'card' && cardRefused));
  return known.length ? known : ['pix'];
}
const pixPending = () => order.status === 'payment_pending' && order.payment?.method === 'pix' && Boolean(order.payment?.pix_code);

function pad(n) { return String(n).padStart(2, '0'); }
/** Remaining time as mm:ss (h:mm:ss beyond an hour). */
export function formatLeft(ms) {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const hh = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  return hh ? `${hh}:${pad(m)}:${pad(s)}` : `${pad(m)}:${pad(s)}`;
}

const holdExpired = () => order.status === 'expired' || (LIVE.includes(order.status) && order.expires_at && Date.parse(order.expires_at) <= Date.now());
const shortId = () => order.id.slice(-6).toUpperCase();
/** Why a card was declined, in the buyer's language (the PSP's own words are English). */
const declinedText = (p) => problemMessage({ code: p?.declined_code || 'card_declined', status: 422 });

function tickCountdown() {
  const box = $('#hold');
  if (!box || !order) return;
  if (!isOnline() && !holdExpired()) {
    // The clock still runs, but whether the order is still held (or was paid) is unknown.
    if (box.dataset.state !== 'offline') {
      box.dataset.state = 'offline';
      $('#countdown').textContent = '--:--';
      $('#countdown-sr').textContent = t('order.holdOffline');
      $('#hold-bar').className = 'h-full rounded-full bg-slate-400';
      $('#hold-status').replaceChildren(holdOffline());
    }
    return;
  }
  if (box.dataset.state === 'offline') {
    box.dataset.state = 'live';
    $('#hold-status').replaceChildren();
  }
  if (holdExpired()) {
    if (box.dataset.state !== 'expired') {
      box.dataset.state = 'expired';
      box.className = 'card border-rose-200 bg-rose-50 p-5';
      mount(box, h('div', { class: 'flex items-start gap-3', role: 'alert' },
        h('span', { 'aria-hidden': 'true', class: 'grid h-10 w-10 shrink-0 place-items-center rounded-full bg-rose-100 text-rose-700' }, '⏱'),
        h('p', { class: 'font-semibold text-rose-800', dataset: { testid: 'hold-expired' } }, t('order.holdExpired'))));
      $('#pay-panel')?.remove();
      // The order is over: say so and offer the way back (without waiting for the server).
      if (!$('[data-testid=order-ended]')) $('#order-main')?.prepend(endedNotice(order, event, { expired: true }));
    }
    return;
  }
  const left = Date.parse(order.expires_at) - Date.now();
  const span = Math.max(1, Date.parse(order.expires_at) - Date.parse(order.created_at || order.expires_at));
  const pct = Math.max(0, Math.min(100, (left / span) * 100));
  const text = $('#countdown');
  if (text) {
    text.textContent = formatLeft(left);
    $('#countdown-sr').textContent = t('order.holdLeft', { time: formatLeft(left) });
    $('#hold-bar').style.width = `${pct}%`;
    $('#hold-bar').className = `h-full rounded-full transition-all ${left < 60000 ? 'bg-rose-500' : left < 180000 ? 'bg-amber-500' : 'bg-emerald-500'}`;
  }
}

function holdCard() {
  // An expired order keeps its hold card, which then says the hold expired — whether the
  // page's own clock or the server's expiry got there first.
  if (!(LIVE.includes(order.status) || order.status === 'expired') || !order.expires_at) return null;
  return h('section', { id: 'hold', class: 'card p-5', 'aria-labelledby': 'hold-title', dataset: { testid: 'hold' } },
    h('div', { class: 'flex flex-wrap items-center justify-between gap-3' },
      h('div', null,
        h('h2', { id: 'hold-title', class: 'font-bold text-slate-900' }, t('order.holdTitle')),
        h('p', { class: 'text-sm text-slate-600' }, h('span', { 'aria-hidden': 'true' }, t('order.holdLeft', { time: '' }).trim()))),
      h('p', { class: 'font-mono text-3xl font-bold tabular-nums text-slate-900', 'aria-hidden': 'true', dataset: { testid: 'countdown' }, id: 'countdown' }, '--:--'),
      h('p', { class: 'sr-only', id: 'countdown-sr', role: 'timer', 'aria-live': 'off' })),
    h('div', { class: 'mt-3 h-2 w-full overflow-hidden rounded-full bg-slate-100', role: 'presentation' },
      h('div', { id: 'hold-bar', class: 'h-full rounded-full bg-emerald-500', style: { width: '100%' } })),
    h('div', { id: 'hold-status', 'aria-live': 'polite' }));
}

const payLabel = () => (method === 'pix' ? t('order.pixGenerate') : t('order.cardPay', { total: money(order.total_cents) }));

const methodLabel = (m) => (m === 'card' ? t('order.payCard') : t('order.payPix'));

function methodChoice(value, label) {
  return h('label', { class: 'choice py-3' }, h('span', { class: 'font-semibold' }, label),
    h('input', { type: 'radio', name: 'method', value, class: 'h-4 w-4 accent-brand-600', dataset: { testid: `method-${value}` }, checked: method === value }));
}

function payPanel() {
  const p = order.payment;
  if (order.status === 'payment_pending') {
    const pix = pixPending();
    return h('section', { id: 'pay-panel', class: 'card p-5 sm:p-6', 'aria-labelledby': 'pay-title', dataset: { testid: 'pay-panel' } },
      h('h2', { id: 'pay-title', class: 'text-lg font-bold text-slate-900' }, `${t('order.payTitle')} · ${pix ? t('order.payPix') : t('order.payCard')}`),
      pix ? pixBox(p.pix_code) : null,
      h('p', { class: 'mt-4 flex items-center gap-2 text-sm font-medium text-brand-700', role: 'status', dataset: { testid: 'waiting' } },
        spinner(), t('order.waiting')),
      pix ? h('p', { class: 'mt-1 text-sm text-slate-600', dataset: { testid: 'pix-auto-update' } }, t('order.pixAutoUpdate')) : null);
  }
  if (order.status !== 'reserved' || holdExpired()) return null;
  const declined = p?.declined_reason;
  const methods = offeredMethods();
  if (!methods.includes(method)) method = methods[0];
  // One method (production: PIX only) is still a checked radio, so the choice reads the same.
  return h('section', { id: 'pay-panel', class: 'card p-5 sm:p-6', 'aria-labelledby': 'pay-title', dataset: { testid: 'pay-panel' } },
    h('h2', { id: 'pay-title', class: 'text-lg font-bold text-slate-900' }, t('order.payTitle')),
    declined ? h('div', { class: 'mt-3 rounded-lg border border-rose-200 bg-rose-50 p-3 text-sm text-rose-800', role: 'alert', dataset: { testid: 'declined' } },
      h('strong', null, `${t('order.declined')}.`), ' ', declinedText(p)) : null,
    h('fieldset', { class: 'mt-4' },
      h('legend', { class: 'label' }, t('order.payMethod')),
      h('div', { class: `grid gap-3 ${methods.length > 1 ? 'grid-cols-2' : 'sm:max-w-xs'}` }, methods.map((m) => methodChoice(m, methodLabel(m))))),
    h('form', { id: 'pay-form', class: 'mt-4', novalidate: true },
      methods.includes('card') ? h('div', { id: 'card-fields', hidden: method !== 'card' },
        h('label', { for: 'card-number', class: 'label' }, t('order.cardNumber')),
        h('input', {
          id: 'card-number', name: 'card_number', class: 'input font-mono tracking-wider', inputmode: 'numeric', autocomplete: 'cc-number',
          placeholder: '4111 1111 1111 1111', value: cardNumber, 'aria-describedby': 'card-hint', dataset: { testid: 'card-number' },
        }),
        h('p', { id: 'card-hint', class: 'mt-1 text-xs text-slate-600' }, t('order.cardHint'))) : null,
      h('button', { type: 'submit', id: 'pay-btn', class: 'btn-primary mt-4 w-full py-3 text-base sm:w-auto', dataset: { testid: 'pay' } }, payLabel())));
}

function renderTickets() {
  const box = $('#tickets');
  if (!box || !tickets) return;
  if (!tickets.length) {
    mount(box, h('p', { class: 'col-span-full text-sm text-slate-600' }, t('order.ticketsEmpty')));
    return;
  }
  const facts = eventFacts(order, event);
  mount(box, tickets.map((tk) => ticketCard(tk, {
    count: tickets.length,
    eventName: event?.name || order.event_name || '',
    event: facts,
    // The transferred ticket is revoked now: show the order's tickets as they are.
    onTransferred: () => { tickets = null; loadTickets(); },
  })));
}

async function loadTickets() {
  try {
    tickets = await api.tickets(order.id);
    renderTickets();
    if (!tickets.length) setTimeout(loadTickets, ORDER_POLL_MS);
  } catch (err) {
    const box = $('#tickets');
    if (box) mount(box, h('p', { class: 'col-span-full text-sm text-rose-800' }, problemText(err) || t('error.generic')));
    showError(err, { background: true });
  }
}

function render() {
  const key = JSON.stringify([order.status, order.payment, order.payment_methods, cardRefused, holdExpired(), Boolean(event)]);
  if (key === renderedKey) { tickCountdown(); return; }
  renderedKey = key;
  document.title = `${t('order.title')} ${shortId()} · ${t('app.name')}`;
  mount(root,
    h('a', { href: 'orders.html', class: 'no-print inline-flex rounded text-sm font-medium text-brand-700 hover:underline' }, t('order.back')),
    h('div', { class: 'no-print mt-3 flex flex-wrap items-center gap-3' },
      h('h1', { class: 'text-2xl font-extrabold tracking-tight text-slate-900 sm:text-3xl' }, `${t('order.title')} `,
        h('span', { class: 'font-mono text-slate-600' }, `#${shortId()}`)),
      h('span', { 'aria-live': 'polite' }, statusBadge(order.status))),
    h('div', { class: 'mt-6 grid gap-6 lg:grid-cols-3' },
      h('div', { id: 'order-main', class: 'min-w-0 space-y-6 lg:col-span-2' },
        endedNotice(order, event, { expired: holdExpired() }), holdCard(), payPanel(), ticketsPanel(order)),
      h('div', { class: 'min-w-0' }, summaryCard(order, event, {
        canCancel: order.status === 'reserved' && !holdExpired(),
        canRefund: order.status === 'paid',
      }))));
  wire();
  tickCountdown();
  if (order.status === 'payment_pending' && order.payment?.pix_code) {
    $('#pix-qr').append(qrImage(order.payment.pix_code, t('order.pixQrAlt'), 220));
  }
  if (pixPending()) mountSimulate();
  if (order.status === 'paid') {
    if (tickets) renderTickets(); else loadTickets();
  }
}

function wire() {
  root.querySelectorAll('input[name=method]').forEach((r) => r.addEventListener('change', () => {
    method = r.value;
    const fields = $('#card-fields');
    if (fields) fields.hidden = method !== 'card';
    $('#pay-btn').textContent = payLabel();
    if (method === 'card') $('#card-number')?.focus();
  }));
  $('#card-number')?.addEventListener('input', (e) => {
    const digits = e.target.value.replace(/\D/g, '').slice(0, 19);
    cardNumber = digits.replace(/(.{4})/g, '$1 ').trim();
    e.target.value = cardNumber;
  });
  $('#pay-form')?.addEventListener('submit', pay);
  $('#pix-copy')?.addEventListener('click', async () => {
    try { await navigator.clipboard.writeText(order.payment.pix_code); toast('success', t('order.pixCopied')); } catch {
      $('#pix-code').select();
    }
  });
  $('#print-btn')?.addEventListener('click', () => window.print());
  $('#pdf-btn')?.addEventListener('click', (e) => downloadTicketsPdf(order.id, e.currentTarget));
  $('#cancel-btn')?.addEventListener('click', async () => {
    if (!(await confirmDialog(t('order.cancelConfirm'), t('order.cancelText'), { danger: true, confirmText: t('order.cancelYes'), cancelText: t('order.cancelKeep') }))) return;
    try { order = await api.cancel(order.id); render(); toast('success', t('order.cancelled')); } catch (err) { showError(err); refresh(); }
  });
  $('#refund-btn')?.addEventListener('click', async () => {
    if (!(await confirmDialog(t('order.refundConfirm'), t('order.refundText'), { danger: true, confirmText: t('order.refundYes'), cancelText: t('order.refundKeep') }))) return;
    try { order = await api.refund(order.id); tickets = null; render(); toast('success', t('order.refunded')); } catch (err) { showError(err); refresh(); }
  });
}

/**
 * The local runner's "Simular pagamento" button, under the PIX code: only when GET /dev/pix
 * (asked once per page load) says a fake PSP is there — a failed or 404 check shows nothing.
 */
async function mountSimulate() {
  const txid = order.payment?.pix_txid;
  if (!txid || !(await api.fakePsp())) return;
  const slot = $('#pix-dev');
  // The page may have moved on (paid, re-rendered) while the check was out.
  if (!slot || slot.childElementCount || !pixPending() || order.payment?.pix_txid !== txid) return;
  mount(slot, h('button', {
    type: 'button', id: 'simulate-pix', class: 'btn-secondary mt-3 w-full border-dashed sm:w-auto', dataset: { testid: 'simulate-pix' },
    onclick: (e) => simulatePix(e.currentTarget, txid),
  }, t('order.simulatePix')));
}

async function simulatePix(btn, txid) {
  btn.disabled = true;
  try {
    await api.simulatePix(txid);
    // The fake PSP now calls the webhook; the polling shows the order paid.
    toast('success', t('order.simulateSent'));
  } catch (err) {
    console.error(err);
    btn.disabled = false;
    toast('error', `${t('order.simulateFailed')}: ${problemText(err) || t('error.generic')}`);
  }
}

const unverified = (err) => err instanceof ApiError && err.code === 'email_unverified';

async function pay(e) {
  e.preventDefault();
  const btn = $('#pay-btn');
  const digits = cardNumber.replace(/\D/g, '');
  if (method === 'card' && (digits.length < 13 || digits.length > 19)) {
    alertMsg('warning', t('order.cardInvalid'));
    $('#card-number').focus();
    return;
  }
  btn.disabled = true;
  btn.textContent = t('order.paying');
  try {
    awaitingPayment = true;
    try {
      order = await api.pay(order.id, method, digits);
    } catch (err) {
      if (!unverified(err)) throw err;
      // Verified meanwhile (another tab, another device)? A fresh token says so: pay again.
      if (!(await session.refresh()) || !session.user?.email_verified) throw err;
      order = await api.pay(order.id, method, digits);
    }
    handleUpdate();
  } catch (err) {
    awaitingPayment = false;
    btn.disabled = false;
    btn.textContent = payLabel();
    if (unverified(err)) await explainUnverified();
    else {
      // 422 card_unavailable: card is not offered (any more); 503 psp_unavailable: the order is
      // unchanged and paying again is fine.
      if (err instanceof ApiError && err.code === 'card_unavailable') { cardRefused = true; method = 'pix'; }
      await showError(err);
    }
    refresh();
  }
}

function handleUpdate() {
  render();
  if (awaitingPayment && order.status === 'reserved' && order.payment?.declined_reason) {
    awaitingPayment = false;
    alertMsg('error', t('order.declined'), declinedText(order.payment));
  } else if (awaitingPayment && order.status === 'paid') {
    awaitingPayment = false;
    toast('success', t('order.paidTitle'));
  } else if (awaitingPayment && !LIVE.includes(order.status)) {
    awaitingPayment = false;
  }
  schedule();
}

function schedule() {
  clearTimeout(pollTimer);
  if (!LIVE.includes(order.status)) return; // paid, cancelled, expired, refunded: no more polling
  pollTimer = setTimeout(refresh, order.status === 'payment_pending' ? PIX_POLL_MS : ORDER_POLL_MS);
}

async function refresh() {
  try {
    order = await api.order(id);
    pollFailing = false;
    handleUpdate();
  } catch (err) {
    if (!pollFailing && err.status !== 401) showError(err, { background: true });
    pollFailing = true;
    if (err.status !== 401 && err.status !== 404 && LIVE.includes(order.status)) pollTimer = setTimeout(refresh, ORDER_POLL_MS * 2);
  }
}

await initPage();
if (requireLogin()) {
  if (!id) {
    mount(root, h('p', { class: 'card p-10 text-center text-slate-600' }, t('order.notFound')));
  } else {
    try {
      order = await api.order(id);
      api.event(order.event_id).then((e) => { event = e; renderedKey = ''; render(); }).catch(() => {});
      handleUpdate();
      setInterval(tickCountdown, 1000);
      onConnectionChange(() => tickCountdown());
      // Back online: what happened meanwhile (paid? expired?) is read anew.
      onReconnect(() => { clearTimeout(pollTimer); refresh(); });
    } catch (err) {
      mount(root,
        h('a', { href: 'orders.html', class: 'text-sm font-medium text-brand-700 hover:underline' }, t('order.back')),
        h('p', { class: 'card mt-4 p-10 text-center text-slate-700', dataset: { testid: 'order-missing' } },
          err instanceof ApiError && err.status === 404 ? t('order.notFound') : problemText(err) || t('error.generic')));
    }
  }
}
