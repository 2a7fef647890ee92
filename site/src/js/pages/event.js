// event.html?id= — the buy flow: sector, price type (half price: the buyer's entitlement),
// quantity, the price as the server quotes it (quote.js), reservation (asking for the CPF when
// the account has none yet, and for confirmation when the price changed meanwhile).
// On a phone the summary is a bar fixed to the bottom of the screen (total + Reservar).
// A cancelled event says so (and that paid orders are refunded) and offers nothing to buy.
//
// An event in queue mode (docs/waiting-room.md; GET /events/{id}/queue/status says mode
// 'queue') offers "Entrar na fila" instead of the reservation until the buyer's turn has come:
// the waiting page (queue.html) keeps the admission per event (waiting-room.js), and the
// reservation sends it as `admission_token`. Refused for want of one (403 admission_required /
// admission_expired), the admission is dropped and the buyer goes back to the queue. Mode 'off'
// (or the status route failing) leaves the page as it always was.
import { api, session, flash, ApiError } from '../api.js';
import { t, money, timeOnly } from '../i18n.js';
import { initPage, $, h, mount, param, availabilityBadge, showError, every, eventImage, loginUrl, alertMsg, problemText } from '../ui.js';
import { ENTITLEMENT_CODES, entitlementLabel } from '../entitlement.js';
import { icon } from '../dom.js';
import { askCpf } from '../prompts.js';
import { EVENTS_REFRESH_MS } from '../config.js';
import { createQuoter, quoteFromPriceChange, confirmNewPrice } from '../quote.js';
import { eventDateTime } from '../event-time.js';
import { onReconnect } from '../connection.js';
import { problemMessage } from '../problems.js';
import { buySummary } from '../buy-summary.js';
import { storedAdmission, dropAdmission } from '../waiting-room.js';

const id = param('id');
const root = $('#event-root');
let ev = null;
let idemKey = null;
let busy = false;
const state = { sector: null, type: 'full', qty: 1, entitlement: '' };
/** The server's answer for the current selection: { key, quote } (quote may be { failed } / { unsupported }). */
let priced = { key: '', quote: null };
/** What the selected sector's stock looked like when it was last quoted (re-quote when it moves). */
let quotedStock = '';
const quoter = id ? createQuoter(id, onQuote) : null;
/** The waiting room's status as last read ({ mode: 'off' } until it is known). */
let queue = { mode: 'off' };

const maxPerOrder = () => Math.max(1, Number(ev?.max_per_order) || 6);
const sectorOf = (name) => ev?.sectors?.find((s) => s.name === name);
const halfPrice = (s) => s.half_price_cents ?? Math.round(s.price_cents / 2);
const isCancelled = () => ev?.status === 'cancelled' || ev?.status === 'cancelling';
const salesOpen = () => ev?.status === 'active' && ev?.sales_open !== false;
const canBuy = (s) => salesOpen() && Number(s.available) > 0;
const halfLeft = (s) => (s.half_available === undefined || s.half_available === null ? Number(s.available) : Number(s.half_available));
const selection = () => ({ sector: state.sector, priceType: state.type, quantity: state.qty });
const selectionKey = () => JSON.stringify([state.sector, state.type, state.qty]);
const queueUrl = () => `queue.html?event=${encodeURIComponent(id)}`;
const queued = () => queue?.mode === 'queue';
/** This account's admission to the event while it is valid (kept by the waiting page), or null. */
const admission = () => (session.loggedIn ? storedAdmission(id, session.user?.id) : null);
/** Queue mode, on sale, and no admission (yet): the page offers the queue, not the reservation. */
const gated = () => queued() && salesOpen() && !admission();

function newIntent() { idemKey = crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random()}`; }

const legend = (text) => h('legend', { class: 'float-left w-full text-lg font-bold text-slate-900' }, text);

function typeChoice(value, label, priceId, extra = {}) {
  return h('label', { class: 'choice' },
    h('span', null, h('span', { class: 'block font-semibold' }, label), h('span', { class: 'text-sm text-slate-600', id: priceId })),
    h('input', { type: 'radio', name: 'price_type', value, class: 'h-4 w-4 accent-brand-600', dataset: { testid: `type-${value}` }, checked: value === 'full', ...extra }));
}

function eventHeader() {
  return h('section', { class: 'card mt-4 overflow-hidden md:flex' },
    h('div', { class: 'md:w-2/5' }, eventImage(ev, 'h-48 md:h-full md:min-h-[16rem]')),
    h('div', { class: 'min-w-0 flex-1 p-5 sm:p-7' },
      h('p', { class: 'text-sm font-semibold uppercase tracking-wide text-brand-700' },
        h('time', { datetime: ev.starts_at, dataset: { testid: 'event-when' } }, eventDateTime(ev.starts_at, ev.time_zone))),
      h('h1', { class: 'mt-1 break-words text-2xl font-extrabold tracking-tight text-slate-900 sm:text-3xl', dataset: { testid: 'event-name' } }, ev.name),
      h('p', { class: 'mt-2 flex items-center gap-1 text-slate-600', dataset: { testid: 'event-venue' } }, icon('pin', 'h-4 w-4 shrink-0'), ev.venue),
      ev.description ? h('p', { class: 'mt-4 max-w-2xl whitespace-pre-line break-words leading-relaxed text-slate-600', dataset: { testid: 'event-description' } }, ev.description) : null,
      h('div', { id: 'event-note', class: 'mt-4', 'aria-live': 'polite' })));
}

const backLink = () => h('a', { href: 'index.html', class: 'inline-flex rounded text-sm font-medium text-brand-700 hover:underline' }, t('event.back'));

/** A cancelled event: what happened and what happens to the money; nothing to buy. */
function renderCancelled() {
  document.title = `${ev.name} · ${t('app.name')}`;
  root.dataset.view = 'cancelled';
  mount(root, backLink(), eventHeader(),
    h('section', { class: 'card mt-6 border-rose-200 bg-rose-50 p-5 sm:p-6', role: 'status', dataset: { testid: 'event-cancelled' } },
      h('h2', { class: 'flex items-center gap-2 text-lg font-bold text-rose-900' }, icon('alert', 'h-5 w-5 shrink-0'), t('event.cancelledTitle')),
      h('p', { class: 'mt-2 text-rose-900' }, t('event.cancelledRefund')),
      session.loggedIn ? h('a', { class: 'btn-secondary mt-4', href: 'orders.html' }, t('event.cancelledOrders')) : null));
}

function renderShell() {
  document.title = `${ev.name} · ${t('app.name')}`;
  root.dataset.view = 'buy';
  const qtyHint = [t('event.qtyHint', { n: maxPerOrder() }), ev.max_per_buyer ? t('event.maxBuyer', { n: ev.max_per_buyer }) : ''].filter(Boolean).join(' ');
  const form = h('form', { id: 'buy-form', class: 'mt-6 grid gap-6 lg:grid-cols-3', novalidate: true },
    h('div', { class: 'min-w-0 space-y-6 lg:col-span-2' },
      h('fieldset', { class: 'card min-w-0 p-5 sm:p-6' }, legend(t('event.chooseSector')),
        h('div', { id: 'sectors', class: 'clear-both grid gap-3 pt-4 sm:grid-cols-2' })),
      h('fieldset', { class: 'card min-w-0 p-5 sm:p-6' }, legend(t('event.chooseType')),
        h('div', { class: 'clear-both grid gap-3 pt-4 sm:grid-cols-2' },
          typeChoice('full', t('event.full'), 'price-full'),
          typeChoice('half', t('event.half'), 'price-half', { 'aria-describedby': 'half-hint' })),
        h('p', { id: 'half-hint', class: 'mt-3 text-xs text-slate-600' }, t('event.halfHint')),
        // Half price needs the buyer's entitlement (sent as `entitlement`; printed on the ticket).
        h('div', { id: 'entitlement-box', class: 'mt-4 rounded-xl border border-amber-200 bg-amber-50 p-4', hidden: true },
          h('label', { for: 'entitlement', class: 'label' }, t('event.entitlement')),
          h('select', {
            id: 'entitlement', name: 'entitlement', class: 'input', 'aria-describedby': 'entitlement-hint', dataset: { testid: 'entitlement' },
          }, h('option', { value: '' }, t('entitlement.choose')), ENTITLEMENT_CODES.map((c) => h('option', { value: c }, entitlementLabel(c)))),
          h('p', { id: 'entitlement-hint', class: 'mt-2 text-xs text-amber-900' }, t('event.entitlementHint')))),
      h('fieldset', { class: 'card min-w-0 p-5 sm:p-6' }, legend(t('event.chooseQty')),
        h('div', { class: 'clear-both flex items-center gap-3 pt-4' },
          h('button', { type: 'button', class: 'btn-secondary h-11 w-11 p-0 text-lg', id: 'qty-dec', 'aria-label': t('event.decrease') }, '−'),
          h('label', { for: 'qty', class: 'sr-only' }, t('event.qty')),
          h('input', {
            id: 'qty', name: 'quantity', type: 'number', inputmode: 'numeric', min: 1, max: maxPerOrder(), value: '1',
            class: 'input h-11 w-20 text-center text-lg font-semibold', dataset: { testid: 'qty' }, 'aria-describedby': 'qty-hint',
          }),
          h('button', { type: 'button', class: 'btn-secondary h-11 w-11 p-0 text-lg', id: 'qty-inc', 'aria-label': t('event.increase') }, '+')),
        h('p', { id: 'qty-hint', class: 'mt-3 text-xs text-slate-600' }, qtyHint))),
    h('aside', { class: 'lg:col-span-1' }, buySummary(session.loggedIn)));

  // The bottom bar covers the end of the page on a phone: room for it.
  mount(root, backLink(), eventHeader(), h('div', { id: 'queue-box', 'aria-live': 'polite' }), form,
    h('div', { class: 'h-36 lg:hidden', 'aria-hidden': 'true' }));

  form.addEventListener('change', (e) => {
    if (e.target.name === 'sector') state.sector = e.target.value;
    if (e.target.name === 'price_type') state.type = e.target.value;
    if (e.target.name === 'entitlement') state.entitlement = e.target.value;
    newIntent();
    update();
  });
  $('#qty').addEventListener('input', () => { state.qty = clampQty($('#qty').value); newIntent(); updateSummary(); });
  $('#qty').addEventListener('blur', () => { $('#qty').value = state.qty; });
  $('#qty-dec').addEventListener('click', () => setQty(state.qty - 1));
  $('#qty-inc').addEventListener('click', () => setQty(state.qty + 1));
  form.addEventListener('submit', reserve);
}

function clampQty(v) {
  const n = Math.floor(Number(v));
  return Number.isFinite(n) ? Math.min(maxPerOrder(), Math.max(1, n)) : 1;
}
function setQty(v) { state.qty = clampQty(v); $('#qty').value = state.qty; newIntent(); updateSummary(); }

function sectorChoice(s, i) {
  return h('label', { class: 'choice', dataset: { sector: s.name, testid: 'sector-choice' } },
    h('span', { class: 'min-w-0' },
      h('span', { class: 'block break-words font-semibold text-slate-900' }, s.name),
      h('span', { class: 'block text-sm text-slate-600', dataset: { role: 'price' } }),
      h('span', { class: 'block text-xs text-slate-600', dataset: { role: 'lot' } }),
      h('span', { class: 'mt-2 inline-flex', dataset: { role: 'badge' } })),
    h('input', { type: 'radio', name: 'sector', value: s.name, id: `sector-${i}`, class: 'h-4 w-4 shrink-0 accent-brand-600' }));
}

function renderSectors() {
  const box = $('#sectors');
  // Build once; afterwards update in place so focus and selection survive refreshes.
  if (box.childElementCount !== ev.sectors.length || [...box.children].some((c, i) => c.dataset.sector !== ev.sectors[i].name)) {
    mount(box, ev.sectors.map(sectorChoice));
  }
  ev.sectors.forEach((s, i) => {
    const el = box.children[i];
    el.querySelector('[data-role=price]').textContent = `${t('events.full')} ${money(s.price_cents)} · ${t('events.half')} ${money(halfPrice(s))}`;
    el.querySelector('[data-role=lot]').textContent = s.current_lot ? t('event.lot', { lot: s.current_lot }) : '';
    mount(el.querySelector('[data-role=badge]'), availabilityBadge(s, ev.status));
    const input = el.querySelector('input');
    input.disabled = !canBuy(s);
    if (input.disabled && input.checked) { input.checked = false; state.sector = null; }
  });
  if (!state.sector) {
    const first = ev.sectors.findIndex(canBuy);
    if (first >= 0) {
      state.sector = ev.sectors[first].name;
      box.children[first].querySelector('input').checked = true;
    }
  }
}

/**
 * Queue mode: "Entrar na fila" (above the form and in place of the summary's button) until the
 * buyer's turn; once it has come, until when they can reserve.
 */
function renderQueueBox() {
  const box = $('#queue-box');
  if (!box) return;
  const admitted = queued() && salesOpen() ? admission() : null;
  const mode = gated() ? 'gated' : (admitted ? 'admitted' : '');
  const drawAt = queue?.opened === false && queue?.opens_at ? queue.opens_at : '';
  const key = JSON.stringify([mode, drawAt, admitted?.expires_at || '']);
  if (box.dataset.key !== key) {
    box.dataset.key = key;
    if (mode === 'gated') {
      mount(box, h('section', { class: 'card mt-6 border-brand-200 bg-brand-50 p-5 sm:p-6', dataset: { testid: 'queue-gate' } },
        h('h2', { class: 'text-lg font-bold text-brand-900' }, t('event.queueTitle')),
        h('p', { class: 'mt-2 text-brand-900' }, t('event.queueText')),
        drawAt ? h('p', { class: 'mt-2 text-sm text-brand-900' }, t('event.queueDraw', { when: eventDateTime(drawAt, ev.time_zone) })) : null,
        h('a', { class: 'btn-primary mt-4', href: queueUrl(), dataset: { testid: 'queue-join' } }, t('event.queueJoin'))));
    } else if (mode === 'admitted') {
      mount(box, h('section', { class: 'card mt-6 border-emerald-200 bg-emerald-50 p-5 sm:p-6', dataset: { testid: 'queue-admitted' } },
        h('h2', { class: 'flex items-center gap-2 text-lg font-bold text-emerald-900' }, icon('check', 'h-5 w-5 shrink-0'), t('event.admittedTitle')),
        h('p', { class: 'mt-1 text-emerald-900' }, t('event.admittedText', { time: timeOnly(new Date(admitted.expires_at)) }))));
    } else {
      mount(box);
    }
  }
  // The summary's button (the phone's bottom bar): the reservation, or the way into the queue.
  const btn = $('#reserve-btn');
  let cta = $('#queue-cta');
  if (mode === 'gated' && !cta) {
    cta = h('a', { id: 'queue-cta', class: btn.getAttribute('class'), href: queueUrl(), dataset: { testid: 'queue-join-bar' } }, t('event.queueJoin'));
    btn.after(cta);
  }
  if (cta) cta.hidden = mode !== 'gated';
  btn.hidden = mode === 'gated';
}

function update() {
  renderQueueBox();
  renderSectors();
  const s = sectorOf(state.sector);
  const half = $('input[name=price_type][value=half]');
  const halfDisabled = !s || halfLeft(s) <= 0;
  half.disabled = halfDisabled;
  if (halfDisabled && state.type === 'half') { state.type = 'full'; $('input[name=price_type][value=full]').checked = true; }
  const box = $('#entitlement-box');
  box.hidden = state.type !== 'half';
  $('#entitlement').required = state.type === 'half';
  $('#price-full').textContent = s ? money(s.price_cents) : '—';
  $('#price-half').textContent = s ? (halfLeft(s) <= 0 ? t('avail.halfSoldout') : money(halfPrice(s))) : '—';
  const allSold = ev.sectors.every((x) => Number(x.available) <= 0);
  const msg = ev.status === 'paused' ? ['badge-slate', 'event.pausedNote']
    : ev.status === 'active' && ev.sales_open === false ? ['badge-slate', 'event.salesClosedNote']
      : allSold ? ['badge-red', 'event.soldoutNote'] : null;
  const note = $('#event-note');
  if (note.dataset.msg !== (msg?.[1] || '')) {
    note.dataset.msg = msg?.[1] || '';
    mount(note, msg ? h('p', { class: `${msg[0]} px-3 py-1.5 text-sm`, dataset: { testid: 'event-note' } }, t(msg[1])) : null);
  }
  // The selected sector's stock moved (a lot sold out, tickets came back): ask again.
  const stock = s ? JSON.stringify([s.name, s.available, s.half_available, s.current_lot, s.price_cents]) : '';
  if (stock !== quotedStock) { quotedStock = stock; priced = { key: '', quote: null }; }
  updateSummary();
}

/** The server's quote for `sel` came back: show it if it is still the selection. */
function onQuote(sel, quote) {
  const key = JSON.stringify([sel.sector, sel.priceType, sel.quantity]);
  if (key !== selectionKey()) return;
  priced = { key, quote };
  showPrice();
}

/** Whether a reservation can be sent now: the price the buyer sees is the server's. */
function priceReady() {
  const q = priced.key === selectionKey() ? priced.quote : null;
  if (quoter?.unsupported || q?.unsupported) return true;
  return Boolean(q?.available && Number.isInteger(q.unit_price_cents));
}

/** The total, the unit price and the lot, from the quote (or, on an older server, from the sector). */
function showPrice() {
  const s = sectorOf(state.sector);
  const q = priced.key === selectionKey() ? priced.quote : null;
  const total = $('#sum-total');
  const note = $('#quote-note');
  let unit = null;
  let sum = null;
  let lot = '';
  let text = '';
  let kind = 'ok';
  if (gated()) {
    // No quotes while the buyer waits for their turn: the price comes once they may reserve.
    kind = 'queue';
    text = t('event.queueNote');
  } else if (!s) {
    kind = 'none';
  } else if (quoter?.unsupported || q?.unsupported) {
    unit = state.type === 'half' ? halfPrice(s) : s.price_cents;
    sum = unit * state.qty;
    lot = s.current_lot || '';
  } else if (!q) {
    kind = 'pending';
    text = t('event.quoting');
  } else if (q.failed) {
    kind = 'failed';
    text = problemText(q.failed);
  } else if (!q.available) {
    kind = 'unavailable';
    text = problemMessage({ code: q.code, status: 409 });
  } else {
    unit = q.unit_price_cents;
    sum = q.total_cents;
    lot = q.lot || '';
  }
  total.textContent = sum == null ? '—' : money(sum);
  total.setAttribute('aria-busy', String(kind === 'pending'));
  $('#sum-unit').textContent = unit == null ? '—' : money(unit);
  $('#sum-lot').textContent = lot || '—';
  if (kind === 'ok' && lot && unit != null) text = t('event.quoteLot', { lot, unit: money(unit) });
  note.textContent = text;
  note.dataset.kind = kind;
  note.className = `mt-2 text-xs lg:text-sm ${kind === 'unavailable' || kind === 'failed' ? 'font-semibold text-rose-800' : 'text-slate-700'}`;
  $('#reserve-btn').disabled = busy || (session.loggedIn && (!s || !canBuy(s) || !priceReady()));
}

function updateSummary() {
  const s = sectorOf(state.sector);
  const typeText = state.type === 'half' ? [t('event.half'), entitlementLabel(state.entitlement)].filter(Boolean).join(' · ') : t('event.full');
  $('#sum-sector').textContent = s ? s.name : '—';
  $('#sum-type').textContent = typeText;
  $('#sum-qty').textContent = String(state.qty);
  $('#sum-line').textContent = s ? `${s.name} · ${state.qty} × ${state.type === 'half' ? t('event.half') : t('event.full')}` : '—';
  if (!gated() && s && canBuy(s) && (priced.key !== selectionKey() || priced.quote?.failed)) {
    priced = { key: '', quote: null };
    quoter.ask(selection());
  }
  showPrice();
}

/**
 * Sends the reservation, answering what the server asks on the way: the CPF (once), and the
 * buyer's consent when the price changed (each time it does). The order, or null when the
 * buyer gave up.
 */
async function placeOrder(input) {
  let body = input;
  let cpfAsked = false;
  for (let attempt = 0; attempt < 5; attempt += 1) {
    try {
      return await api.reserve(body, idemKey);
    } catch (err) {
      if (err instanceof ApiError && err.code === 'cpf_required' && !cpfAsked) {
        cpfAsked = true;
        if (!(await askCpf({ confirmText: t('cpf.submit') }))) return null;
        newIntent();
        continue;
      }
      if (err instanceof ApiError && (err.code === 'admission_required' || err.code === 'admission_expired')) {
        backToQueue(err);
        return null;
      }
      if (err instanceof ApiError && err.code === 'price_changed' && err.problem && Number.isInteger(err.problem.unit_price_cents)) {
        const sel = selection();
        const before = priced.key === selectionKey() && priced.quote?.available ? priced.quote : null;
        const after = quoteFromPriceChange(err.problem, sel);
        // The page shows the new price from now on, whatever the buyer decides.
        priced = { key: selectionKey(), quote: after };
        showPrice();
        if (!(await confirmNewPrice(before, after))) return null;
        body = { ...body, expected_unit_price_cents: after.unit_price_cents };
        newIntent();
        continue;
      }
      throw err;
    }
  }
  return null;
}

/** The problem's `queue_url` when it is this site's waiting page, else ours for this event. */
function queuePage(hint) {
  if (typeof hint === 'string' && hint) {
    try {
      const u = new URL(hint, location.href);
      if (u.origin === location.origin && /\/queue\.html$/.test(u.pathname) && u.searchParams.get('event') === id) return u.href;
    } catch { /* ours, below */ }
  }
  return queueUrl();
}

/** No admission, or it ran out (403 admission_required / admission_expired): back to the queue. */
function backToQueue(err) {
  dropAdmission(id);
  flash.set('warning', `problem.${err.code}`);
  location.href = queuePage(err.problem?.queue_url);
}

async function reserve(e) {
  e.preventDefault();
  // Queue mode before the buyer's turn: the waiting page (it asks for a login itself).
  if (gated()) { location.href = queueUrl(); return; }
  if (!session.loggedIn) { location.href = loginUrl(); return; }
  if (!state.sector || busy) return;
  if (state.type === 'half' && !ENTITLEMENT_CODES.includes(state.entitlement)) {
    await alertMsg('warning', t('event.entitlementRequired'), t('event.entitlementHint'));
    $('#entitlement').focus();
    return;
  }
  busy = true;
  const btn = $('#reserve-btn');
  btn.disabled = true;
  btn.textContent = t('event.reserving');
  const input = { event_id: ev.id, sector: state.sector, price_type: state.type, quantity: state.qty };
  if (state.type === 'half') input.entitlement = state.entitlement;
  const admitted = admission();
  if (admitted) input.admission_token = admitted.admission_token;
  const q = priced.key === selectionKey() ? priced.quote : null;
  if (q?.available && Number.isInteger(q.unit_price_cents)) input.expected_unit_price_cents = q.unit_price_cents;
  try {
    const order = await placeOrder(input);
    if (order) {
      location.href = `order.html?id=${encodeURIComponent(order.id)}`;
      return;
    }
  } catch (err) {
    newIntent();
    await showError(err, { context: 'order' });
    await load(true);
  } finally {
    busy = false;
    btn.textContent = session.loggedIn ? t('event.reserve') : t('event.loginToBuy');
    if ($('#buy-form')) updateSummary();
  }
}

function renderNotFound(err) {
  const text = err instanceof ApiError && err.status === 404 ? t('event.notFound') : problemText(err) || t('error.generic');
  mount(root, backLink(),
    h('div', { class: 'card mt-4 p-10 text-center', dataset: { testid: 'event-missing' } },
      h('p', { class: 'text-slate-700' }, text),
      err instanceof ApiError && err.status !== 404
        ? h('button', { type: 'button', class: 'btn-primary mt-4', dataset: { testid: 'retry' }, onclick: () => load() }, t('common.retry')) : null));
}

/**
 * Reads the waiting room's status. A failure (or a server without the route) is today's flow,
 * mode 'off' — except that a blip does not undo queue mode once seen: the next read decides.
 */
async function loadQueue() {
  try {
    const s = await api.queueStatus(id);
    queue = s && typeof s === 'object' ? s : { mode: 'off' };
  } catch (err) {
    if (!queued() || (err instanceof ApiError && (err.status === 404 || err.notBuilt))) queue = { mode: 'off' };
  }
}

let failing = false;
/** The event does not exist (404): nothing to refresh. */
let gone = false;
async function load(quiet = false) {
  if (gone) return;
  try {
    // The queue's status is known before anything is offered (read alongside the event).
    const queueRead = loadQueue();
    ev = await api.event(id);
    await queueRead;
    failing = false;
    if (isCancelled()) {
      quoter.cancel();
      if (root.dataset.view !== 'cancelled') renderCancelled();
      return;
    }
    if (!$('#buy-form')) renderShell();
    update();
  } catch (err) {
    gone = !ev && err instanceof ApiError && err.status === 404;
    if (!ev && (!failing || gone)) renderNotFound(err);
    // A refresh failing quietly: the connection banner tells about outages.
    else if (!failing && !quiet) showError(err, { background: true });
    failing = true;
  }
}

await initPage();
newIntent();
if (!id) {
  mount(root, h('p', { class: 'card p-10 text-center text-slate-600' }, t('event.notFound')));
} else {
  await load();
  every(EVENTS_REFRESH_MS, () => { if (!busy) load(true); });
  onReconnect(() => { priced = { key: '', quote: null }; load(true); });
}
