// event.html?id= — the buy flow: sector, price type, quantity, reservation.
import { api, session } from '../api.js';
import { t, money, dateTime } from '../i18n.js';
import { initPage, $, $$, esc, param, availability, showError, every, eventImage, loginUrl } from '../ui.js';
import { EVENTS_REFRESH_MS } from '../config.js';

const id = param('id');
const root = $('#event-root');
let ev = null;
let idemKey = null;
let busy = false;
const state = { sector: null, type: 'full', qty: 1 };

const maxPerOrder = () => Math.max(1, Number(ev?.max_per_order) || 6);
const sectorOf = (name) => ev?.sectors?.find((s) => s.name === name);
const halfPrice = (s) => s.half_price_cents ?? Math.round(s.price_cents / 2);
const unitPrice = () => {
  const s = sectorOf(state.sector);
  if (!s) return 0;
  return state.type === 'half' ? halfPrice(s) : s.price_cents;
};
const canBuy = (s) => ev.status === 'active' && Number(s.available) > 0;
const halfLeft = (s) => (s.half_available === undefined || s.half_available === null ? Number(s.available) : Number(s.half_available));

function newIntent() { idemKey = crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random()}`; }

function renderShell() {
  document.title = `${ev.name} · ${t('app.name')}`;
  root.innerHTML = `
    <a href="index.html" class="inline-flex rounded text-sm font-medium text-brand-700 hover:underline">${esc(t('event.back'))}</a>
    <section class="card mt-4 overflow-hidden md:flex">
      <div class="md:w-2/5">${eventImage(ev, 'h-48 md:h-full md:min-h-[16rem]')}</div>
      <div class="flex-1 p-5 sm:p-7">
        <p class="text-sm font-semibold uppercase tracking-wide text-brand-700"><time datetime="${esc(ev.starts_at)}">${esc(dateTime(ev.starts_at))}</time></p>
        <h1 class="mt-1 text-2xl font-extrabold tracking-tight text-slate-900 sm:text-3xl" data-testid="event-name">${esc(ev.name)}</h1>
        <p class="mt-2 flex items-center gap-1 text-slate-600"><svg aria-hidden="true" viewBox="0 0 24 24" class="h-4 w-4" fill="none" stroke="currentColor" stroke-width="2"><path d="M12 21s-7-6.2-7-11a7 7 0 1 1 14 0c0 4.8-7 11-7 11z"/><circle cx="12" cy="10" r="2.5"/></svg>${esc(ev.venue)}</p>
        ${ev.description ? `<p class="mt-4 max-w-2xl leading-relaxed text-slate-600">${esc(ev.description)}</p>` : ''}
        <div id="event-note" class="mt-4" aria-live="polite"></div>
      </div>
    </section>
    <form id="buy-form" class="mt-6 grid gap-6 lg:grid-cols-3" novalidate>
      <div class="space-y-6 lg:col-span-2">
        <fieldset class="card p-5 sm:p-6">
          <legend class="float-left w-full text-lg font-bold text-slate-900">${esc(t('event.chooseSector'))}</legend>
          <div id="sectors" class="clear-both pt-4 grid gap-3 sm:grid-cols-2"></div>
        </fieldset>
        <fieldset class="card p-5 sm:p-6">
          <legend class="float-left w-full text-lg font-bold text-slate-900">${esc(t('event.chooseType'))}</legend>
          <div class="clear-both grid gap-3 pt-4 sm:grid-cols-2">
            <label class="choice"><span><span class="block font-semibold">${esc(t('event.full'))}</span><span class="text-sm text-slate-500" id="price-full"></span></span>
              <input type="radio" name="price_type" value="full" class="h-4 w-4 accent-brand-600" data-testid="type-full" checked></label>
            <label class="choice"><span><span class="block font-semibold">${esc(t('event.half'))}</span><span class="text-sm text-slate-500" id="price-half"></span></span>
              <input type="radio" name="price_type" value="half" class="h-4 w-4 accent-brand-600" data-testid="type-half" aria-describedby="half-hint"></label>
          </div>
          <p id="half-hint" class="mt-3 text-xs text-slate-500">${esc(t('event.halfHint'))}</p>
        </fieldset>
        <fieldset class="card p-5 sm:p-6">
          <legend class="float-left w-full text-lg font-bold text-slate-900">${esc(t('event.chooseQty'))}</legend>
          <div class="clear-both flex items-center gap-3 pt-4">
            <button type="button" class="btn-secondary h-11 w-11 p-0 text-lg" id="qty-dec" aria-label="${esc(t('event.decrease'))}">−</button>
            <label for="qty" class="sr-only">${esc(t('event.qty'))}</label>
            <input id="qty" name="quantity" type="number" inputmode="numeric" min="1" max="${maxPerOrder()}" value="1" class="input h-11 w-20 text-center text-lg font-semibold" data-testid="qty" aria-describedby="qty-hint">
            <button type="button" class="btn-secondary h-11 w-11 p-0 text-lg" id="qty-inc" aria-label="${esc(t('event.increase'))}">+</button>
          </div>
          <p id="qty-hint" class="mt-3 text-xs text-slate-500">${esc(t('event.qtyHint', { n: maxPerOrder() }))}${ev.max_per_buyer ? ` ${esc(t('event.maxBuyer', { n: ev.max_per_buyer }))}` : ''}</p>
        </fieldset>
      </div>
      <aside class="lg:col-span-1">
        <div class="card p-5 sm:p-6 lg:sticky lg:top-24">
          <h2 class="text-lg font-bold text-slate-900">${esc(t('event.summary'))}</h2>
          <dl class="mt-4 space-y-2 text-sm">
            <div class="flex justify-between gap-2"><dt class="text-slate-500">${esc(t('order.sector'))}</dt><dd id="sum-sector" class="font-medium text-right">—</dd></div>
            <div class="flex justify-between gap-2"><dt class="text-slate-500">${esc(t('order.type'))}</dt><dd id="sum-type" class="font-medium">—</dd></div>
            <div class="flex justify-between gap-2"><dt class="text-slate-500">${esc(t('order.quantity'))}</dt><dd id="sum-qty" class="font-medium">1</dd></div>
            <div class="flex justify-between gap-2 border-t border-slate-200 pt-3 text-base"><dt class="font-semibold">${esc(t('event.total'))}</dt><dd id="sum-total" class="text-xl font-extrabold text-slate-900" data-testid="total" aria-live="polite">—</dd></div>
          </dl>
          <button type="submit" id="reserve-btn" class="btn-primary mt-5 w-full py-3 text-base" data-testid="reserve">${esc(session.loggedIn ? t('event.reserve') : t('event.loginToBuy'))}</button>
          <p class="mt-3 text-center text-xs text-slate-500">${esc(t('event.holdNote'))}</p>
        </div>
      </aside>
    </form>`;

  $('#buy-form').addEventListener('change', (e) => {
    if (e.target.name === 'sector') state.sector = e.target.value;
    if (e.target.name === 'price_type') state.type = e.target.value;
    newIntent();
    update();
  });
  $('#qty').addEventListener('input', () => { state.qty = clampQty($('#qty').value); newIntent(); updateSummary(); });
  $('#qty').addEventListener('blur', () => { $('#qty').value = state.qty; });
  $('#qty-dec').addEventListener('click', () => setQty(state.qty - 1));
  $('#qty-inc').addEventListener('click', () => setQty(state.qty + 1));
  $('#buy-form').addEventListener('submit', reserve);
}

function clampQty(v) {
  const n = Math.floor(Number(v));
  return Number.isFinite(n) ? Math.min(maxPerOrder(), Math.max(1, n)) : 1;
}
function setQty(v) { state.qty = clampQty(v); $('#qty').value = state.qty; newIntent(); updateSummary(); }

function renderSectors() {
  const box = $('#sectors');
  // Build once; afterwards update in place so focus and selection survive refreshes.
  if (box.childElementCount !== ev.sectors.length || [...box.children].some((c, i) => c.dataset.sector !== ev.sectors[i].name)) {
    box.innerHTML = ev.sectors.map((s, i) => `
      <label class="choice" data-sector="${esc(s.name)}" data-testid="sector-choice">
        <span class="min-w-0">
          <span class="block font-semibold text-slate-900">${esc(s.name)}</span>
          <span class="block text-sm text-slate-600" data-role="price"></span>
          <span class="block text-xs text-slate-500" data-role="lot"></span>
          <span class="mt-2 inline-flex" data-role="badge"></span>
        </span>
        <input type="radio" name="sector" value="${esc(s.name)}" id="sector-${i}" class="h-4 w-4 shrink-0 accent-brand-600">
      </label>`).join('');
  }
  ev.sectors.forEach((s, i) => {
    const el = box.children[i];
    const a = availability(s, ev.status);
    el.querySelector('[data-role=price]').textContent = `${t('events.full')} ${money(s.price_cents)} · ${t('events.half')} ${money(halfPrice(s))}`;
    el.querySelector('[data-role=lot]').textContent = s.current_lot ? t('event.lot', { lot: s.current_lot }) : '';
    el.querySelector('[data-role=badge]').innerHTML = `<span class="${a.cls}" data-testid="availability" data-availability="${a.key}">${esc(a.text)}</span>`;
    const input = el.querySelector('input');
    input.disabled = !canBuy(s);
    if (input.disabled && input.checked) { input.checked = false; state.sector = null; }
  });
  if (!state.sector) {
    const first = ev.sectors.find(canBuy);
    if (first) {
      state.sector = first.name;
      box.querySelector(`input[value="${CSS.escape(first.name)}"]`).checked = true;
    }
  }
}

function update() {
  renderSectors();
  const s = sectorOf(state.sector);
  const half = $('input[name=price_type][value=half]');
  const halfDisabled = !s || halfLeft(s) <= 0;
  half.disabled = halfDisabled;
  if (halfDisabled && state.type === 'half') { state.type = 'full'; $('input[name=price_type][value=full]').checked = true; }
  $('#price-full').textContent = s ? money(s.price_cents) : '—';
  $('#price-half').textContent = s ? (halfLeft(s) <= 0 ? t('avail.halfSoldout') : money(halfPrice(s))) : '—';
  const note = $('#event-note');
  const allSold = ev.sectors.every((x) => Number(x.available) <= 0);
  const msg = ev.status === 'paused' ? ['badge-slate', 'event.pausedNote']
    : ev.status === 'cancelled' ? ['badge-red', 'event.cancelledNote']
      : allSold ? ['badge-red', 'event.soldoutNote'] : null;
  note.innerHTML = msg ? `<p class="${msg[0]} px-3 py-1.5 text-sm" data-testid="event-note">${esc(t(msg[1]))}</p>` : '';
  updateSummary();
}

function updateSummary() {
  const s = sectorOf(state.sector);
  $('#sum-sector').textContent = s ? s.name : '—';
  $('#sum-type').textContent = state.type === 'half' ? t('event.half') : t('event.full');
  $('#sum-qty').textContent = String(state.qty);
  $('#sum-total').textContent = s ? money(unitPrice() * state.qty) : '—';
  $('#reserve-btn').disabled = busy || (session.loggedIn && (!s || !canBuy(s)));
}

async function reserve(e) {
  e.preventDefault();
  if (!session.loggedIn) { location.href = loginUrl(); return; }
  if (!state.sector || busy) return;
  busy = true;
  const btn = $('#reserve-btn');
  btn.disabled = true;
  btn.textContent = t('event.reserving');
  try {
    const order = await api.reserve({ event_id: ev.id, sector: state.sector, price_type: state.type, quantity: state.qty }, idemKey);
    location.href = `order.html?id=${encodeURIComponent(order.id)}`;
    return;
  } catch (err) {
    newIntent();
    await showError(err, { context: 'order' });
    await load(true);
  } finally {
    busy = false;
    btn.textContent = session.loggedIn ? t('event.reserve') : t('event.loginToBuy');
    updateSummary();
  }
}

let failing = false;
async function load(quiet = false) {
  try {
    ev = await api.event(id);
    failing = false;
    if (!$('#buy-form')) renderShell();
    update();
  } catch (err) {
    if (!ev) {
      root.innerHTML = `<a href="index.html" class="text-sm font-medium text-brand-700 hover:underline">${esc(t('event.back'))}</a>
        <p class="card mt-4 p-10 text-center text-slate-600">${esc(t('event.notFound'))}</p>`;
    }
    if (!failing && !quiet) showError(err);
    failing = true;
  }
}

await initPage();
newIntent();
if (!id) {
  root.innerHTML = `<p class="card p-10 text-center text-slate-600">${esc(t('event.notFound'))}</p>`;
} else {
  await load();
  if (ev) every(EVENTS_REFRESH_MS, () => { if (!busy) load(); });
}
