// order.html?id= — the hold countdown, payment (PIX / card), live status and the tickets.
import { api } from '../api.js';
import { t, money, dateTime, shortDateTime } from '../i18n.js';
import {
  initPage, $, esc, param, showError, statusBadge, qrImage, requireLogin, confirmDialog, alertMsg, toast, Swal,
} from '../ui.js';
import { ORDER_POLL_MS } from '../config.js';

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

const LIVE = ['reserved', 'payment_pending'];

function pad(n) { return String(n).padStart(2, '0'); }
/** Remaining time as mm:ss (h:mm:ss beyond an hour). */
export function formatLeft(ms) {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  return h ? `${h}:${pad(m)}:${pad(s)}` : `${pad(m)}:${pad(s)}`;
}

const holdExpired = () => order.status === 'expired' || (LIVE.includes(order.status) && order.expires_at && Date.parse(order.expires_at) <= Date.now());

function tickCountdown() {
  const box = $('#hold');
  if (!box || !order) return;
  if (holdExpired()) {
    if (box.dataset.state !== 'expired') {
      box.dataset.state = 'expired';
      box.innerHTML = `<div class="flex items-start gap-3" role="alert">
        <span aria-hidden="true" class="grid h-10 w-10 shrink-0 place-items-center rounded-full bg-rose-100 text-rose-700">⏱</span>
        <p class="font-semibold text-rose-800" data-testid="hold-expired">${esc(t('order.holdExpired'))}</p></div>`;
      box.className = 'card border-rose-200 bg-rose-50 p-5';
      $('#pay-panel')?.remove();
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
  if (!(LIVE.includes(order.status) || order.status === 'expired') || !order.expires_at) return '';
  return `<section id="hold" class="card p-5" aria-labelledby="hold-title" data-testid="hold">
    <div class="flex flex-wrap items-center justify-between gap-3">
      <div>
        <h2 id="hold-title" class="font-bold text-slate-900">${esc(t('order.holdTitle'))}</h2>
        <p class="text-sm text-slate-500"><span aria-hidden="true">${esc(t('order.holdLeft', { time: '' }).trim())}</span></p>
      </div>
      <p class="font-mono text-3xl font-bold tabular-nums text-slate-900" aria-hidden="true" data-testid="countdown" id="countdown">--:--</p>
      <p class="sr-only" id="countdown-sr" role="timer" aria-live="off"></p>
    </div>
    <div class="mt-3 h-2 w-full overflow-hidden rounded-full bg-slate-100" role="presentation"><div id="hold-bar" class="h-full rounded-full bg-emerald-500" style="width:100%"></div></div>
  </section>`;
}

function payPanel() {
  const p = order.payment;
  if (order.status === 'payment_pending') {
    const pix = p?.method === 'pix' && p?.pix_code;
    return `<section id="pay-panel" class="card p-5 sm:p-6" aria-labelledby="pay-title" data-testid="pay-panel">
      <h2 id="pay-title" class="text-lg font-bold text-slate-900">${esc(t('order.payTitle'))} · ${esc(pix ? t('order.payPix') : t('order.payCard'))}</h2>
      ${pix ? `<div class="mt-4 flex flex-col items-center gap-4 sm:flex-row sm:items-start">
          <div id="pix-qr" class="rounded-xl border border-slate-200 bg-white p-2" data-testid="pix-qr"></div>
          <div class="w-full min-w-0 flex-1">
            <p class="text-sm text-slate-600">${esc(t('order.pixScan'))}</p>
            <label for="pix-code" class="label mt-3">${esc(t('order.pixCode'))}</label>
            <textarea id="pix-code" readonly rows="3" class="input resize-none break-all font-mono text-xs" data-testid="pix-code">${esc(p.pix_code)}</textarea>
            <button type="button" id="pix-copy" class="btn-secondary mt-2">${esc(t('order.pixCopy'))}</button>
          </div></div>` : ''}
      <p class="mt-4 flex items-center gap-2 text-sm font-medium text-brand-700" role="status" data-testid="waiting">
        <svg aria-hidden="true" class="h-4 w-4 animate-spin" viewBox="0 0 24 24" fill="none"><circle cx="12" cy="12" r="10" stroke="currentColor" stroke-opacity=".25" stroke-width="4"/><path d="M22 12a10 10 0 0 0-10-10" stroke="currentColor" stroke-width="4"/></svg>
        ${esc(t('order.waiting'))}</p>
    </section>`;
  }
  if (order.status !== 'reserved' || holdExpired()) return '';
  const declined = p?.declined_reason;
  return `<section id="pay-panel" class="card p-5 sm:p-6" aria-labelledby="pay-title" data-testid="pay-panel">
    <h2 id="pay-title" class="text-lg font-bold text-slate-900">${esc(t('order.payTitle'))}</h2>
    ${declined ? `<div class="mt-3 rounded-lg border border-rose-200 bg-rose-50 p-3 text-sm text-rose-800" role="alert" data-testid="declined">
      <strong>${esc(t('order.declined'))}.</strong> ${esc(t('order.declinedReason', { reason: declined }))}</div>` : ''}
    <fieldset class="mt-4">
      <legend class="label">${esc(t('order.payMethod'))}</legend>
      <div class="grid grid-cols-2 gap-3">
        <label class="choice py-3"><span class="font-semibold">${esc(t('order.payPix'))}</span><input type="radio" name="method" value="pix" class="h-4 w-4 accent-brand-600" data-testid="method-pix" ${method === 'pix' ? 'checked' : ''}></label>
        <label class="choice py-3"><span class="font-semibold">${esc(t('order.payCard'))}</span><input type="radio" name="method" value="card" class="h-4 w-4 accent-brand-600" data-testid="method-card" ${method === 'card' ? 'checked' : ''}></label>
      </div>
    </fieldset>
    <form id="pay-form" class="mt-4" novalidate>
      <div id="card-fields" ${method === 'card' ? '' : 'hidden'}>
        <label for="card-number" class="label">${esc(t('order.cardNumber'))}</label>
        <input id="card-number" name="card_number" class="input font-mono tracking-wider" inputmode="numeric" autocomplete="cc-number" placeholder="4111 1111 1111 1111" value="${esc(cardNumber)}" aria-describedby="card-hint" data-testid="card-number">
        <p id="card-hint" class="mt-1 text-xs text-slate-500">${esc(t('order.cardHint'))}</p>
      </div>
      <button type="submit" id="pay-btn" class="btn-primary mt-4 w-full py-3 text-base sm:w-auto" data-testid="pay">${esc(method === 'pix' ? t('order.pixGenerate') : t('order.cardPay', { total: money(order.total_cents) }))}</button>
    </form>
  </section>`;
}

function ticketsPanel() {
  if (order.status !== 'paid') return '';
  return `<section class="card overflow-hidden" aria-labelledby="tickets-title" data-testid="tickets-panel">
    <div class="flex flex-wrap items-center justify-between gap-3 border-b border-slate-100 bg-emerald-50 p-5">
      <div><h2 id="tickets-title" class="text-lg font-bold text-emerald-900">${esc(t('order.tickets'))}</h2>
        <p class="text-sm text-emerald-800">${esc(t('order.paidText'))}</p></div>
      <button type="button" class="btn-secondary print:hidden" id="print-btn">${esc(t('order.print'))}</button>
    </div>
    <div id="tickets" class="grid gap-4 p-5 sm:grid-cols-2" data-testid="tickets"><div class="skeleton h-64"></div></div>
  </section>`;
}

function renderTickets() {
  const box = $('#tickets');
  if (!box || !tickets) return;
  if (!tickets.length) {
    box.innerHTML = `<p class="col-span-full text-sm text-slate-500">${esc(t('order.ticketsEmpty'))}</p>`;
    return;
  }
  box.innerHTML = '';
  for (const tk of tickets) {
    const card = document.createElement('article');
    card.className = 'flex flex-col items-center rounded-xl border border-dashed border-slate-300 bg-white p-4 text-center';
    card.dataset.testid = 'ticket';
    card.innerHTML = `<p class="text-xs font-semibold uppercase tracking-wide text-brand-700">${esc(event?.name || order.event_name || '')}</p>
      <p class="mt-1 text-sm text-slate-600">${esc(tk.sector)} · ${esc(tk.price_type === 'half' ? t('event.half') : t('event.full'))}${tk.position != null ? ` · ${esc(t('order.position', { n: tk.position, of: tickets.length }))}` : ''}</p>
      <div class="my-3" data-role="qr"></div>
      <p class="text-xs text-slate-500">${esc(t('order.ticketCode'))}</p>
      <p class="break-all font-mono text-sm font-semibold text-slate-900" data-testid="ticket-code">${esc(tk.code)}</p>`;
    card.querySelector('[data-role=qr]').append(qrImage(tk.qr_payload || tk.code, t('order.ticketQrAlt', { code: tk.code }), 180));
    box.append(card);
  }
}

async function loadTickets() {
  try {
    tickets = await api.tickets(order.id);
    renderTickets();
    if (!tickets.length) setTimeout(loadTickets, ORDER_POLL_MS);
  } catch (err) {
    const box = $('#tickets');
    if (box) box.innerHTML = `<p class="col-span-full text-sm text-rose-700">${esc(err.detail || err.message)}</p>`;
    showError(err);
  }
}

function summaryCard() {
  const canCancel = order.status === 'reserved' && !holdExpired();
  const canRefund = order.status === 'paid';
  return `<aside class="card p-5 sm:p-6" aria-labelledby="sum-title">
    <h2 id="sum-title" class="text-lg font-bold text-slate-900">${esc(t('event.summary'))}</h2>
    ${event ? `<p class="mt-2 font-semibold text-slate-800">${esc(event.name)}</p>
      <p class="text-sm text-slate-500">${esc(dateTime(event.starts_at))}</p><p class="text-sm text-slate-500">${esc(event.venue)}</p>` : order.event_name ? `<p class="mt-2 font-semibold">${esc(order.event_name)}</p>` : ''}
    <dl class="mt-4 space-y-2 text-sm">
      <div class="flex justify-between gap-2"><dt class="text-slate-500">${esc(t('order.sector'))}</dt><dd class="font-medium" data-testid="order-sector">${esc(order.sector)}</dd></div>
      <div class="flex justify-between gap-2"><dt class="text-slate-500">${esc(t('order.type'))}</dt><dd class="font-medium">${esc(order.price_type === 'half' ? t('event.half') : t('event.full'))}</dd></div>
      <div class="flex justify-between gap-2"><dt class="text-slate-500">${esc(t('order.quantity'))}</dt><dd class="font-medium">${esc(order.quantity)}</dd></div>
      <div class="flex justify-between gap-2"><dt class="text-slate-500">${esc(t('order.unit'))}</dt><dd class="font-medium">${esc(money(order.unit_price_cents))}</dd></div>
      <div class="flex justify-between gap-2"><dt class="text-slate-500">${esc(t('order.created'))}</dt><dd class="text-right font-medium">${esc(shortDateTime(order.created_at))}</dd></div>
      ${order.paid_at ? `<div class="flex justify-between gap-2"><dt class="text-slate-500">${esc(t('order.paidAt'))}</dt><dd class="text-right font-medium">${esc(shortDateTime(order.paid_at))}</dd></div>` : ''}
      <div class="flex justify-between gap-2 border-t border-slate-200 pt-3 text-base"><dt class="font-semibold">${esc(t('order.total'))}</dt><dd class="text-xl font-extrabold text-slate-900" data-testid="order-total">${esc(money(order.total_cents))}</dd></div>
    </dl>
    ${canCancel ? `<button type="button" id="cancel-btn" class="btn-secondary mt-5 w-full text-rose-700" data-testid="cancel">${esc(t('order.cancel'))}</button>` : ''}
    ${canRefund ? `<button type="button" id="refund-btn" class="btn-secondary mt-5 w-full" data-testid="refund">${esc(t('order.refund'))}</button>` : ''}
    ${['cancelled', 'expired', 'refunded'].includes(order.status) ? `<p class="mt-4 text-sm text-slate-500">${esc(t('order.endedNote'))}</p>` : ''}
  </aside>`;
}

function render() {
  const key = JSON.stringify([order.status, order.payment, holdExpired()]);
  if (key === renderedKey) { tickCountdown(); return; }
  renderedKey = key;
  document.title = `${t('order.title')} ${order.id.slice(-6).toUpperCase()} · ${t('app.name')}`;
  root.innerHTML = `
    <a href="orders.html" class="inline-flex rounded text-sm font-medium text-brand-700 hover:underline">${esc(t('order.back'))}</a>
    <div class="mt-3 flex flex-wrap items-center gap-3">
      <h1 class="text-2xl font-extrabold tracking-tight text-slate-900 sm:text-3xl">${esc(t('order.title'))} <span class="font-mono text-slate-500">#${esc(order.id.slice(-6).toUpperCase())}</span></h1>
      <span aria-live="polite">${statusBadge(order.status)}</span>
    </div>
    <div class="mt-6 grid gap-6 lg:grid-cols-3">
      <div class="space-y-6 lg:col-span-2">${holdCard()}${payPanel()}${ticketsPanel()}</div>
      <div>${summaryCard()}</div>
    </div>`;
  wire();
  tickCountdown();
  if (order.status === 'payment_pending' && order.payment?.pix_code) {
    $('#pix-qr').append(qrImage(order.payment.pix_code, t('order.pixQrAlt'), 220));
  }
  if (order.status === 'paid') {
    if (tickets) renderTickets(); else loadTickets();
  }
}

function wire() {
  root.querySelectorAll('input[name=method]').forEach((r) => r.addEventListener('change', () => {
    method = r.value;
    $('#card-fields').hidden = method !== 'card';
    $('#pay-btn').textContent = method === 'pix' ? t('order.pixGenerate') : t('order.cardPay', { total: money(order.total_cents) });
    if (method === 'card') $('#card-number').focus();
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
  $('#cancel-btn')?.addEventListener('click', async () => {
    if (!(await confirmDialog(t('order.cancelConfirm'), t('order.cancelText'), { danger: true, confirmText: t('order.cancel') }))) return;
    try { order = await api.cancel(order.id); render(); toast('success', t('order.cancelled')); } catch (err) { showError(err); refresh(); }
  });
  $('#refund-btn')?.addEventListener('click', async () => {
    if (!(await confirmDialog(t('order.refundConfirm'), t('order.refundText'), { danger: true, confirmText: t('order.refund') }))) return;
    try { order = await api.refund(order.id); tickets = null; render(); toast('success', t('order.refunded')); } catch (err) { showError(err); refresh(); }
  });
}

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
    order = await api.pay(order.id, method, digits);
    handleUpdate();
  } catch (err) {
    awaitingPayment = false;
    btn.disabled = false;
    btn.textContent = method === 'pix' ? t('order.pixGenerate') : t('order.cardPay', { total: money(order.total_cents) });
    await showError(err);
    refresh();
  }
}

function handleUpdate() {
  render();
  if (awaitingPayment && order.status === 'reserved' && order.payment?.declined_reason) {
    awaitingPayment = false;
    Swal.fire({
      icon: 'error', title: t('order.declined'), text: t('order.declinedReason', { reason: order.payment.declined_reason }),
      buttonsStyling: false, customClass: { confirmButton: 'btn-primary' }, confirmButtonText: t('common.ok'),
    });
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
  if (LIVE.includes(order.status)) pollTimer = setTimeout(refresh, ORDER_POLL_MS);
}

async function refresh() {
  try {
    order = await api.order(id);
    pollFailing = false;
    handleUpdate();
  } catch (err) {
    if (!pollFailing) showError(err);
    pollFailing = true;
    if (err.status !== 401 && err.status !== 404) pollTimer = setTimeout(refresh, ORDER_POLL_MS * 2);
  }
}

await initPage();
if (requireLogin()) {
  if (!id) {
    root.innerHTML = `<p class="card p-10 text-center text-slate-600">${esc(t('order.notFound'))}</p>`;
  } else {
    try {
      order = await api.order(id);
      api.event(order.event_id).then((e) => { event = e; renderedKey = ''; render(); }).catch(() => {});
      handleUpdate();
      setInterval(tickCountdown, 1000);
    } catch (err) {
      root.innerHTML = `<a href="orders.html" class="text-sm font-medium text-brand-700 hover:underline">${esc(t('order.back'))}</a>
        <p class="card mt-4 p-10 text-center text-slate-600">${esc(t('order.notFound'))}</p>`;
      showError(err);
    }
  }
}
