// event.html?id= — the buy flow: sector, price type (half price: the buyer's entitlement),
// quantity, reservation (asking for the CPF when the account has none yet).
import { api, session, ApiError } from '../api.js';
import { t, money, dateTime } from '../i18n.js';
import { initPage, $, h, mount, param, availabilityBadge, showError, every, eventImage, loginUrl, alertMsg } from '../ui.js';
import { ENTITLEMENT_CODES, entitlementLabel } from '../entitlement.js';
import { icon } from '../dom.js';
import { askCpf } from '../prompts.js';
import { EVENTS_REFRESH_MS } from '../config.js';

const id = param('id');
const root = $('#event-root');
let ev = null;
let idemKey = null;
let busy = false;
const state = { sector: null, type: 'full', qty: 1, entitlement: '' };

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

const legend = (text) => h('legend', { class: 'float-left w-full text-lg font-bold text-slate-900' }, text);
const sumRow = (label, id2, cls, extra = {}) => h('div', { class: 'flex justify-between gap-2' },
  h('dt', { class: 'text-slate-600' }, label), h('dd', { id: id2, class: cls, ...extra }, '—'));

function typeChoice(value, label, priceId, extra = {}) {
  return h('label', { class: 'choice' },
    h('span', null, h('span', { class: 'block font-semibold' }, label), h('span', { class: 'text-sm text-slate-600', id: priceId })),
    h('input', { type: 'radio', name: 'price_type', value, class: 'h-4 w-4 accent-brand-600', dataset: { testid: `type-${value}` }, checked: value === 'full', ...extra }));
}

function renderShell() {
  document.title = `${ev.name} · ${t('app.name')}`;
  const qtyHint = [t('event.qtyHint', { n: maxPerOrder() }), ev.max_per_buyer ? t('event.maxBuyer', { n: ev.max_per_buyer }) : ''].filter(Boolean).join(' ');
  const form = h('form', { id: 'buy-form', class: 'mt-6 grid gap-6 lg:grid-cols-3', novalidate: true },
    h('div', { class: 'space-y-6 lg:col-span-2' },
      h('fieldset', { class: 'card p-5 sm:p-6' }, legend(t('event.chooseSector')),
        h('div', { id: 'sectors', class: 'clear-both pt-4 grid gap-3 sm:grid-cols-2' })),
      h('fieldset', { class: 'card p-5 sm:p-6' }, legend(t('event.chooseType')),
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
      h('fieldset', { class: 'card p-5 sm:p-6' }, legend(t('event.chooseQty')),
        h('div', { class: 'clear-both flex items-center gap-3 pt-4' },
          h('button', { type: 'button', class: 'btn-secondary h-11 w-11 p-0 text-lg', id: 'qty-dec', 'aria-label': t('event.decrease') }, '−'),
          h('label', { for: 'qty', class: 'sr-only' }, t('event.qty')),
          h('input', {
            id: 'qty', name: 'quantity', type: 'number', inputmode: 'numeric', min: 1, max: maxPerOrder(), value: '1',
            class: 'input h-11 w-20 text-center text-lg font-semibold', dataset: { testid: 'qty' }, 'aria-describedby': 'qty-hint',
          }),
          h('button', { type: 'button', class: 'btn-secondary h-11 w-11 p-0 text-lg', id: 'qty-inc', 'aria-label': t('event.increase') }, '+')),
        h('p', { id: 'qty-hint', class: 'mt-3 text-xs text-slate-600' }, qtyHint))),
    h('aside', { class: 'lg:col-span-1' },
      h('div', { class: 'card p-5 sm:p-6 lg:sticky lg:top-24' },
        h('h2', { class: 'text-lg font-bold text-slate-900' }, t('event.summary')),
        h('dl', { class: 'mt-4 space-y-2 text-sm' },
          sumRow(t('order.sector'), 'sum-sector', 'font-medium text-right'),
          sumRow(t('order.type'), 'sum-type', 'font-medium'),
          sumRow(t('order.quantity'), 'sum-qty', 'font-medium'),
          h('div', { class: 'flex justify-between gap-2 border-t border-slate-200 pt-3 text-base' },
            h('dt', { class: 'font-semibold' }, t('event.total')),
            h('dd', { id: 'sum-total', class: 'text-xl font-extrabold text-slate-900', dataset: { testid: 'total' }, 'aria-live': 'polite' }, '—'))),
        h('button', { type: 'submit', id: 'reserve-btn', class: 'btn-primary mt-5 w-full py-3 text-base', dataset: { testid: 'reserve' } },
          session.loggedIn ? t('event.reserve') : t('event.loginToBuy')),
        h('p', { class: 'mt-3 text-center text-xs text-slate-600' }, t('event.holdNote')))));

  mount(root,
    h('a', { href: 'index.html', class: 'inline-flex rounded text-sm font-medium text-brand-700 hover:underline' }, t('event.back')),
    h('section', { class: 'card mt-4 overflow-hidden md:flex' },
      h('div', { class: 'md:w-2/5' }, eventImage(ev, 'h-48 md:h-full md:min-h-[16rem]')),
      h('div', { class: 'flex-1 p-5 sm:p-7' },
        h('p', { class: 'text-sm font-semibold uppercase tracking-wide text-brand-700' }, h('time', { datetime: ev.starts_at }, dateTime(ev.starts_at))),
        h('h1', { class: 'mt-1 text-2xl font-extrabold tracking-tight text-slate-900 sm:text-3xl', dataset: { testid: 'event-name' } }, ev.name),
        h('p', { class: 'mt-2 flex items-center gap-1 text-slate-600', dataset: { testid: 'event-venue' } }, icon('pin', 'h-4 w-4'), ev.venue),
        ev.description ? h('p', { class: 'mt-4 max-w-2xl whitespace-pre-line leading-relaxed text-slate-600', dataset: { testid: 'event-description' } }, ev.description) : null,
        h('div', { id: 'event-note', class: 'mt-4', 'aria-live': 'polite' }))),
    form);

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
      h('span', { class: 'block font-semibold text-slate-900' }, s.name),
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

function update() {
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
    : ev.status === 'cancelled' ? ['badge-red', 'event.cancelledNote']
      : allSold ? ['badge-red', 'event.soldoutNote'] : null;
  const note = $('#event-note');
  if (note.dataset.msg !== (msg?.[1] || '')) {
    note.dataset.msg = msg?.[1] || '';
    mount(note, msg ? h('p', { class: `${msg[0]} px-3 py-1.5 text-sm`, dataset: { testid: 'event-note' } }, t(msg[1])) : null);
  }
  updateSummary();
}

function updateSummary() {
  const s = sectorOf(state.sector);
  $('#sum-sector').textContent = s ? s.name : '—';
  $('#sum-type').textContent = state.type === 'half'
    ? [t('event.half'), entitlementLabel(state.entitlement)].filter(Boolean).join(' · ')
    : t('event.full');
  $('#sum-qty').textContent = String(state.qty);
  $('#sum-total').textContent = s ? money(unitPrice() * state.qty) : '—';
  $('#reserve-btn').disabled = busy || (session.loggedIn && (!s || !canBuy(s)));
}

async function reserve(e) {
  e.preventDefault();
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
  try {
    let order;
    try {
      order = await api.reserve(input, idemKey);
    } catch (err) {
      // No CPF on the account yet: ask for it, save it (fresh token) and try once more.
      if (!(err instanceof ApiError && err.code === 'cpf_required')) throw err;
      const user = await askCpf({ confirmText: t('cpf.submit') });
      if (!user) return;
      newIntent();
      order = await api.reserve(input, idemKey);
    }
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
      mount(root,
        h('a', { href: 'index.html', class: 'text-sm font-medium text-brand-700 hover:underline' }, t('event.back')),
        h('p', { class: 'card mt-4 p-10 text-center text-slate-600' }, t('event.notFound')));
    }
    if (!failing && !quiet) showError(err);
    failing = true;
  }
}

await initPage();
newIntent();
if (!id) {
  mount(root, h('p', { class: 'card p-10 text-center text-slate-600' }, t('event.notFound')));
} else {
  await load();
  if (ev) every(EVENTS_REFRESH_MS, () => { if (!busy) load(); });
}
