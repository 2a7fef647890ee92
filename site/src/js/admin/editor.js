// The event editor (create and edit): name, description, venue, time zone, start, sales end,
// limits, and the sectors with their lots. Dates are typed as wall-clock times of the event's
// zone (tz.js). Saving an edit names the version the console read (If-Match); a change made
// meanwhile by another admin reloads the list and the editor (events-list.js staleConflict).
import { api, ApiError } from '../api.js';
import { t } from '../i18n.js';
import { $, $$, h, mount, alertMsg } from '../ui.js';
import { state } from './state.js';
import { ZONES, DEFAULT_ZONE, zoneOf, zoneCity, zoneOffset, zoneSuffix, toZoneInput, fromZoneInput } from './tz.js';
import { loadList, staleConflict } from './events-list.js';
import { loadDashboard } from './dashboard.js';
import { showAdminError } from './errors.js';

/** The event open in the editor (null: a new one) and the version the edit is based on. */
export const editing = { id: null, version: null };

const centsToInput = (c) => (c == null ? '' : (c / 100).toFixed(2).replace('.', ','));
function parseMoney(v) {
  let s = String(v || '').replace(/[R$\s]/g, '');
  if (!s) return NaN;
  if (s.includes(',')) s = s.replace(/\./g, '').replace(',', '.');
  const n = Number(s);
  return Number.isFinite(n) && n >= 0 ? Math.round(n * 100) : NaN;
}

/** A labelled form field: the <label for> and the control (an element built with h()). */
export function field(label, control, hint = '') {
  return h('div', { class: 'min-w-0' },
    h('label', { class: 'label', for: control.id }, label, hint ? [' ', h('span', { class: 'font-normal text-slate-600' }, `(${hint})`)] : null),
    control);
}
// Placeholders a shade darker than the site's default (readable: ≥ 4.5:1 on white).
export const input = (props) => h('input', { class: 'input placeholder:text-slate-500', ...props });

/** The zone picked in the editor. */
const zone = () => $('#ev-zone')?.value || DEFAULT_ZONE;

/** True when this server knows event time zones (its events carry `time_zone`). */
function serverHasZones(ev) {
  return Boolean(ev && 'time_zone' in ev) || state.events.some((e) => e && 'time_zone' in e);
}

function zoneSelect(current) {
  const zones = ZONES.includes(current) ? ZONES : [current, ...ZONES];
  return h('select', { id: 'ev-zone', class: 'input', dataset: { testid: 'event-zone' }, 'aria-describedby': 'ev-zone-hint', onchange: zoneChanged },
    zones.map((z) => h('option', { value: z, selected: z === current }, z === 'UTC' ? 'UTC' : `${zoneCity(z)} (${zoneOffset(z)}) · ${z}`)));
}

function zoneChanged() {
  // The typed dates stay as they read: they are now times of the new zone.
  $('#ev-zone-hint').textContent = t('admin.zoneHint', { zone: zoneSuffix(zone()) });
}

export function renderForm(ev = null) {
  editing.id = ev?.id || null;
  // The version this edit is based on: sent back as If-Match when it is saved.
  editing.version = Number.isInteger(ev?.version) ? ev.version : null;
  const z = zoneOf(ev);
  const f = $('#event-form');
  const val = (v) => (v == null ? '' : String(v));
  const span2 = (...c) => h('div', { class: 'sm:col-span-2' }, c);
  mount(f,
    h('div', { class: 'flex flex-wrap items-center justify-between gap-2' },
      h('h2', { class: 'text-lg font-bold text-slate-900', id: 'form-title' }, ev ? t('admin.editEvent') : t('admin.newEvent')),
      ev ? h('button', { type: 'button', class: 'btn-ghost btn-sm', id: 'form-new', onclick: () => renderForm() }, `+ ${t('admin.newEvent')}`) : null),
    h('div', { class: 'grid gap-4 sm:grid-cols-2' },
      span2(field(t('admin.name'), input({ id: 'ev-name', required: true, maxlength: 200, value: val(ev?.name) }))),
      span2(field(t('admin.description'), h('textarea', { id: 'ev-description', rows: 3, class: 'input', value: val(ev?.description) }), t('admin.optional'))),
      span2(field(t('admin.venue'), input({ id: 'ev-venue', required: true, value: val(ev?.venue) }))),
      span2(field(t('admin.timeZone'), zoneSelect(z)),
        h('p', { id: 'ev-zone-hint', class: 'mt-1 text-xs text-slate-600' }, t('admin.zoneHint', { zone: zoneSuffix(z) }))),
      field(t('admin.startsAt'), input({ id: 'ev-starts', type: 'datetime-local', required: true, 'aria-describedby': 'ev-zone-hint', value: toZoneInput(ev?.starts_at, z) })),
      field(t('admin.salesEndAt'), input({ id: 'ev-sales-end', type: 'datetime-local', 'aria-describedby': 'ev-zone-hint', value: toZoneInput(ev?.sales_end_at, z) }), t('admin.optional')),
      span2(field(t('admin.imageUrl'), input({ id: 'ev-image', type: 'url', placeholder: 'https://…', value: val(ev?.image_url) }), t('admin.optional'))),
      field(t('admin.halfShare'), input({ id: 'ev-half', type: 'number', min: 0, max: 100, placeholder: '40', value: val(ev?.half_price_share_percent) })),
      field(t('admin.maxPerOrder'), input({ id: 'ev-max-order', type: 'number', min: 1, placeholder: '6', value: val(ev?.max_per_order) })),
      field(t('admin.maxPerBuyer'), input({ id: 'ev-max-buyer', type: 'number', min: 1, placeholder: t('common.unlimited'), value: val(ev?.max_per_buyer) }), t('admin.optional'))),
    h('div', null,
      h('div', { class: 'flex flex-wrap items-center justify-between gap-2' },
        h('h3', { class: 'font-bold text-slate-900' }, t('admin.sectors')),
        h('button', {
          type: 'button', class: 'btn-secondary btn-sm', id: 'add-sector', dataset: { testid: 'add-sector' },
          onclick: () => { addSector({}, z); $$('#sectors-editor [data-field=name]').at(-1).focus(); },
        }, `+ ${t('admin.addSector')}`)),
      h('p', { class: 'mt-1 text-xs text-slate-600' }, t('admin.lotsHint')),
      h('div', { id: 'sectors-editor', class: 'mt-3 space-y-3' })),
    h('div', { class: 'flex flex-wrap gap-3 border-t border-slate-100 pt-4' },
      h('button', { type: 'submit', class: 'btn-primary', id: 'save-event', dataset: { testid: 'save-event' } }, t('admin.save')),
      h('button', { type: 'button', class: 'btn-secondary', id: 'reset-form', onclick: () => renderForm() }, t('admin.reset'))));
  const sectors = ev?.sectors?.length ? ev.sectors : [{}];
  sectors.forEach((sec) => addSector(sec, z));
}

let sectorSeq = 0;
function addSector(sec, z) {
  const n = ++sectorSeq;
  const box = h('fieldset', { class: 'min-w-0 rounded-xl border border-slate-200 bg-slate-50 p-3 sm:p-4', dataset: { testid: 'sector-editor' } },
    h('legend', { class: 'sr-only' }, `${t('admin.sectorName')} ${n}`),
    h('div', { class: 'grid gap-3 sm:grid-cols-[2fr_1fr_1fr_auto] sm:items-end' },
      field(t('admin.sectorName'), input({ id: `s${n}-name`, dataset: { field: 'name' }, required: true, value: sec.name || '' })),
      field(t('admin.price'), input({ id: `s${n}-price`, dataset: { field: 'price' }, inputmode: 'decimal', placeholder: '0,00', value: centsToInput(sec.price_cents) })),
      field(t('admin.capacity'), input({ id: `s${n}-capacity`, dataset: { field: 'capacity' }, type: 'number', min: 1, value: sec.capacity == null ? '' : String(sec.capacity) })),
      h('button', {
        type: 'button', class: 'btn-ghost btn-sm text-rose-700', dataset: { removeSector: '' },
        onclick: () => {
          if ($$('#sectors-editor > fieldset').length > 1) box.remove();
          else alertMsg('warning', t('admin.sectorRequired'));
        },
      }, t('admin.removeSector'))),
    h('div', { class: 'mt-3' },
      h('div', { class: 'space-y-2', dataset: { lots: '' } }),
      h('button', { type: 'button', class: 'mt-2 text-xs font-semibold text-brand-700 hover:underline', dataset: { addLot: '' }, onclick: () => addLot(box, {}) }, `+ ${t('admin.addLot')}`)));
  (sec.lots || []).forEach((l) => addLot(box, l, z));
  $('#sectors-editor').append(box);
  syncLots(box);
}

let lotSeq = 0;
function addLot(sectorBox, l, z = zone()) {
  const n = ++lotSeq;
  const row = h('div', { class: 'grid gap-2 rounded-lg border border-slate-200 bg-white p-3 sm:grid-cols-[2fr_1fr_1fr_1.5fr_auto] sm:items-end', dataset: { lot: '' } },
    field(t('admin.lotName'), input({ id: `l${n}-name`, dataset: { lotField: 'name' }, value: l.name || '' })),
    field(t('admin.price'), input({ id: `l${n}-price`, dataset: { lotField: 'price' }, inputmode: 'decimal', value: centsToInput(l.price_cents) })),
    field(t('admin.lotQty'), input({ id: `l${n}-qty`, dataset: { lotField: 'quantity' }, type: 'number', min: 1, value: l.quantity == null ? '' : String(l.quantity) })),
    field(t('admin.lotEnds'), input({ id: `l${n}-ends`, dataset: { lotField: 'ends_at' }, type: 'datetime-local', 'aria-describedby': 'ev-zone-hint', value: toZoneInput(l.ends_at, z) }), t('admin.optional')),
    h('button', { type: 'button', class: 'btn-ghost btn-sm text-rose-700', 'aria-label': t('admin.removeLot'), onclick: () => { row.remove(); syncLots(sectorBox); } }, '✕'));
  row.addEventListener('input', () => syncLots(sectorBox));
  sectorBox.querySelector('[data-lots]').append(row);
  syncLots(sectorBox);
  row.querySelector('input').focus();
}

/** With lots, capacity and price come from the lots (shown, not editable). */
function syncLots(box) {
  const lots = [...box.querySelectorAll('[data-lot]')];
  const cap = box.querySelector('[data-field=capacity]');
  const price = box.querySelector('[data-field=price]');
  cap.readOnly = price.readOnly = lots.length > 0;
  cap.classList.toggle('bg-slate-100', lots.length > 0);
  price.classList.toggle('bg-slate-100', lots.length > 0);
  if (lots.length) {
    cap.value = lots.reduce((sum, l) => sum + (Number(l.querySelector('[data-lot-field=quantity]').value) || 0), 0);
    price.value = lots[0].querySelector('[data-lot-field=price]').value;
  }
}

/** The EventInput of the form (throws an Error with the message to show when it is not valid). */
export function collect(ev = null) {
  const v = (id) => $(id).value.trim();
  const z = zone();
  const at = (id) => {
    const iso = fromZoneInput(v(id), z);
    if (!iso) throw new Error(t('admin.invalidDate'));
    return iso;
  };
  const body = { name: v('#ev-name'), venue: v('#ev-venue'), starts_at: '', sectors: [] };
  // The zone is sent once the server knows zones (or when the admin chose another one).
  if (serverHasZones(ev) || z !== DEFAULT_ZONE) body.time_zone = z;
  if (v('#ev-starts')) body.starts_at = at('#ev-starts');
  // Optional fields are sent only when filled in (omitted = the server's default).
  if (v('#ev-description')) body.description = v('#ev-description');
  if (v('#ev-image')) body.image_url = v('#ev-image');
  if (v('#ev-half') !== '') body.half_price_share_percent = Number(v('#ev-half'));
  if (v('#ev-max-order') !== '') body.max_per_order = Number(v('#ev-max-order'));
  if (v('#ev-max-buyer') !== '') body.max_per_buyer = Number(v('#ev-max-buyer'));
  // Empty: sales close when the event starts. Never after the start (the server answers 422).
  if (v('#ev-sales-end')) {
    body.sales_end_at = at('#ev-sales-end');
    if (body.starts_at && new Date(body.sales_end_at) > new Date(body.starts_at)) throw new Error(t('admin.salesEndAfterStart'));
  }
  for (const box of $$('#sectors-editor > fieldset')) {
    const name = box.querySelector('[data-field=name]').value.trim();
    const sector = { name, price_cents: parseMoney(box.querySelector('[data-field=price]').value), capacity: Number(box.querySelector('[data-field=capacity]').value) };
    const lots = [...box.querySelectorAll('[data-lot]')].map((row) => {
      const g = (f) => row.querySelector(`[data-lot-field=${f}]`).value.trim();
      const lot = { name: g('name'), price_cents: parseMoney(g('price')), quantity: Number(g('quantity')) };
      if (g('ends_at')) {
        lot.ends_at = fromZoneInput(g('ends_at'), z);
        if (!lot.ends_at) throw new Error(t('admin.invalidDate'));
      }
      return lot;
    });
    if (lots.length) sector.lots = lots;
    if (!Number.isFinite(sector.price_cents) || lots.some((l) => !Number.isFinite(l.price_cents))) {
      throw new Error(t('admin.invalidPrice', { name: name || '?' }));
    }
    body.sectors.push(sector);
  }
  if (!body.sectors.length) throw new Error(t('admin.sectorRequired'));
  return body;
}

export async function save(e) {
  e.preventDefault();
  const form = e.currentTarget;
  if (!form.reportValidity()) return;
  const id = editing.id;
  let body;
  try { body = collect(id ? state.events.find((x) => x.id === id) : null); } catch (err) { alertMsg('warning', err.message); return; }
  const btn = $('#save-event');
  btn.disabled = true;
  btn.textContent = t('admin.saving');
  try {
    const saved = id ? await api.updateEvent(id, body, editing.version) : await api.createEvent(body);
    await alertMsg('success', id ? t('admin.saved') : t('admin.created'), saved?.name || body.name);
    renderForm();
    loadList();
    loadDashboard();
  } catch (err) {
    if (err instanceof ApiError && err.staleVersion) await staleConflict(id);
    else showAdminError(err);
  } finally {
    btn.disabled = false;
    btn.textContent = t('admin.save');
  }
}
