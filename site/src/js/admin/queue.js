// The Fila de espera tab, per event (docs/waiting-room.md): the waiting room as it is now
// (GET /admin/events/{id}/queue, refreshed like the dashboard while the tab is open) and its
// settings (PUT /admin/events/{id}/queue): queue mode on or off, the opening (typed as a
// wall-clock time of the event's zone, like the editor's dates: tz.js) and the admission rate,
// changed live. Queue mode is not an event edit: no version, no If-Match.
import { ApiError } from '../api.js';
import { t, number, percent, timeOnly } from '../i18n.js';
import { $, h, mount, toast, alertMsg } from '../ui.js';
import { state, eventById, CLOSING } from './state.js';
import { panel, onTabShown } from './layout.js';
import { kpi } from './dashboard.js';
import { field, input } from './editor.js';
import { zoneOf, zoneDateTime, zoneSuffix, toZoneInput, fromZoneInput } from './tz.js';
import { adminApi } from './api.js';
import { showAdminError } from './errors.js';

const QUEUE_EVENT_KEY = 'bilheteria.admin.queueEvent';
const MAX_RATE = 1_000_000;
let queueEventId = null;
let failing = null;
let seq = 0;
/** The event whose settings the form shows: filled once per event (and after a save), then left to the admin. */
let formFor = null;
let saving = false;

export function queuePanel() {
  return panel('queue', { class: 'mt-6 space-y-6', dataset: { testid: 'queue-panel' } },
    h('div', { class: 'card flex flex-wrap items-end gap-4 p-5' },
      h('div', { class: 'min-w-0 flex-1 sm:min-w-[16rem]' },
        h('label', { class: 'label', for: 'queue-event-pick' }, t('admin.gateEvent')),
        h('select', { id: 'queue-event-pick', class: 'input', dataset: { testid: 'queue-event-pick' } }, h('option', { value: '' }, t('gate.pickEvent'))))),
    h('div', { id: 'queue-unavailable', hidden: true, class: 'rounded-2xl border border-amber-200 bg-amber-50 p-5 text-amber-900', role: 'status', dataset: { testid: 'queue-unavailable' } }),
    h('div', { id: 'queue-body', class: 'space-y-6', hidden: true },
      h('dl', { id: 'queue-kpis', class: 'grid grid-cols-2 gap-3 sm:gap-4 lg:grid-cols-4', dataset: { testid: 'queue-kpis' } }),
      h('div', { class: 'space-y-1 text-sm text-slate-700' },
        h('p', { id: 'queue-opening', dataset: { testid: 'queue-opening' } }),
        h('p', { id: 'queue-tick', class: 'text-xs text-slate-600', dataset: { testid: 'queue-tick' } })),
      h('form', { id: 'queue-form', class: 'card space-y-4 p-5 sm:p-6', novalidate: true, dataset: { testid: 'queue-form' } },
        h('div', null,
          h('h2', { class: 'text-lg font-bold text-slate-900' }, t('admin.queueSettings')),
          h('p', { class: 'mt-1 text-sm text-slate-600' }, t('admin.queueSettingsHint'))),
        h('label', { class: 'flex items-center gap-3 text-sm font-semibold text-slate-800', for: 'queue-enabled' },
          h('input', { id: 'queue-enabled', type: 'checkbox', class: 'h-4 w-4 accent-brand-600', dataset: { testid: 'queue-enabled' } }),
          t('admin.queueEnabled')),
        h('div', { class: 'grid gap-4 sm:grid-cols-2' },
          h('div', { class: 'min-w-0' },
            h('label', { class: 'label', for: 'queue-opens' }, t('admin.queueOpening')),
            // On a phone "Agora" goes under the date (a datetime input is wide).
            h('div', { class: 'flex flex-col gap-2 sm:flex-row' },
              input({
                id: 'queue-opens', type: 'datetime-local', required: true, class: 'input min-w-0 placeholder:text-slate-500',
                'aria-describedby': 'queue-zone-hint', dataset: { testid: 'queue-opens' },
              }),
              h('button', { type: 'button', id: 'queue-opens-now', class: 'btn-secondary shrink-0 self-start sm:self-auto', dataset: { testid: 'queue-opens-now' } }, t('admin.queueNow'))),
            h('p', { id: 'queue-zone-hint', class: 'mt-1 text-xs text-slate-600' })),
          field(t('admin.queueRate'), input({
            id: 'queue-rate', type: 'number', min: 1, max: MAX_RATE, step: 1, inputmode: 'numeric', required: true, placeholder: '600', dataset: { testid: 'queue-rate' },
          }), t('admin.queueRateHint'))),
        h('button', { type: 'submit', id: 'queue-save', class: 'btn-primary', dataset: { testid: 'queue-save' } }, t('admin.queueSave')))));
}

/** The zone of the event picked (its times are typed and shown in it). */
const zone = () => zoneOf(eventById(queueEventId));

export function wireQueuePanel() {
  $('#queue-event-pick').addEventListener('change', (e) => setQueueEvent(e.target.value || null));
  $('#queue-form').addEventListener('submit', save);
  $('#queue-opens-now').addEventListener('click', () => {
    $('#queue-opens').value = toZoneInput(new Date().toISOString(), zone());
  });
  queueEventId = (() => { try { return localStorage.getItem(QUEUE_EVENT_KEY); } catch { return null; } })();
  onTabShown('queue', loadQueuePanel);
}

export function renderQueuePicker() {
  const select = $('#queue-event-pick');
  if (!select) return;
  const events = state.events.filter((e) => !CLOSING.has(e.status));
  if (queueEventId && !events.some((e) => e.id === queueEventId)) queueEventId = null;
  mount(select, h('option', { value: '' }, t('gate.pickEvent')),
    events.map((e) => h('option', { value: e.id, selected: e.id === queueEventId }, `${e.name} · ${zoneDateTime(e.starts_at, zoneOf(e))}`)));
  select.value = queueEventId || '';
  if (!queueEventId) $('#queue-body').hidden = true;
}

export function setQueueEvent(id) {
  queueEventId = id;
  try { if (id) localStorage.setItem(QUEUE_EVENT_KEY, id); else localStorage.removeItem(QUEUE_EVENT_KEY); } catch { /* storage unavailable */ }
  const select = $('#queue-event-pick');
  if (select) select.value = id || '';
  failing = null;
  formFor = null;
  $('#queue-body').hidden = true;
  loadQueuePanel();
}

/** The form, from the server's view (an opening never set: now; a rate never set: empty). */
function fillForm(v) {
  const z = zone();
  $('#queue-enabled').checked = v.enabled === true;
  $('#queue-opens').value = toZoneInput(v.opens_at || new Date().toISOString(), z);
  $('#queue-rate').value = Number(v.rate_per_minute) > 0 ? String(v.rate_per_minute) : '';
  $('#queue-zone-hint').textContent = t('admin.zoneHint', { zone: zoneSuffix(z) });
  formFor = queueEventId;
}

function renderQueueView(v) {
  const z = zone();
  const on = v.enabled === true;
  const stock = [v.sold_out ? t('admin.queueSoldOut') : t('admin.onSale'),
    v.holds_pending ? h('span', { class: 'block text-xs font-medium text-slate-600' }, t('admin.queueHolds')) : null];
  mount($('#queue-kpis'),
    kpi(t('admin.queueState'), on ? t('admin.queueOn') : t('admin.queueOff'), 'queue-kpi-enabled', String(on)),
    kpi(t('admin.queueWaiting'), number(v.waiting), 'queue-kpi-waiting', Number(v.waiting) || 0),
    kpi(t('admin.queueServing'), `${number(v.serving)} / ${number(v.length)}`, 'queue-kpi-serving', Number(v.serving) || 0),
    kpi(t('admin.queueLastMinute'), number(v.admitted_last_minute), 'queue-kpi-last-minute', Number(v.admitted_last_minute) || 0),
    kpi(t('admin.queueAdmitted'), number(v.admitted_total), 'queue-kpi-admitted', Number(v.admitted_total) || 0),
    kpi(t('admin.queueOrders'), number(v.orders_from_admitted), 'queue-kpi-orders', Number(v.orders_from_admitted) || 0),
    kpi(t('admin.conversion'), percent(v.conversion), 'queue-kpi-conversion', Number(v.conversion) || 0),
    kpi(t('admin.queueCanServe'), number(v.can_serve), 'queue-kpi-can-serve', Number(v.can_serve) || 0),
    kpi(t('admin.queueOutstanding'), number(v.outstanding), 'queue-kpi-outstanding', Number(v.outstanding) || 0),
    kpi(t('admin.queueStock'), stock, 'queue-kpi-stock', v.sold_out ? 'sold_out' : 'on_sale'));
  $('#queue-opening').textContent = `${t('admin.queueOpensAt')}: ${v.opens_at ? zoneDateTime(v.opens_at, z) : t('common.none')}`;
  $('#queue-tick').textContent = v.last_tick_at ? t('admin.queueLastTick', { time: timeOnly(new Date(v.last_tick_at)) }) : (on ? t('admin.queueNoTick') : '');
  if (formFor !== queueEventId && !saving) fillForm(v);
}

export async function loadQueuePanel() {
  // Before the list is loaded the event's zone is unknown: the list's arrival loads it again.
  if (!queueEventId || !eventById(queueEventId) || $('#panel-queue')?.hidden) return;
  const id = queueEventId;
  const mine = ++seq;
  try {
    const v = await adminApi.queue(id);
    if (mine !== seq || id !== queueEventId) return;
    failing = null;
    $('#queue-unavailable').hidden = true;
    $('#queue-body').hidden = false;
    renderQueueView(v);
  } catch (err) {
    if (mine !== seq) return;
    if (err instanceof ApiError && err.notBuilt) {
      const box = $('#queue-unavailable');
      box.hidden = false;
      box.textContent = t('admin.queueUnavailable', { status: err.status });
    } else if (!failing) {
      showAdminError(err);
    }
    failing = err;
  }
}

async function save(e) {
  e.preventDefault();
  const id = queueEventId;
  if (!id) { alertMsg('warning', t('gate.pickEvent')); return; }
  if (saving) return;
  const opensAt = fromZoneInput($('#queue-opens').value, zone());
  if (!opensAt) {
    await alertMsg('warning', t('admin.invalidDate'));
    $('#queue-opens').focus();
    return;
  }
  const raw = $('#queue-rate').value.trim();
  const rate = Number(raw);
  if (!raw || !Number.isInteger(rate) || rate < 1 || rate > MAX_RATE) {
    await alertMsg('warning', t('admin.queueInvalidRate'));
    $('#queue-rate').focus();
    return;
  }
  const btn = $('#queue-save');
  saving = true;
  btn.disabled = true;
  btn.textContent = t('admin.saving');
  try {
    const v = await adminApi.setQueue(id, { enabled: $('#queue-enabled').checked, opensAt, ratePerMinute: rate });
    seq += 1; // a refresh sent before the save must not draw the old settings over these
    saving = false;
    if (id === queueEventId) {
      formFor = null;
      failing = null;
      $('#queue-body').hidden = false;
      renderQueueView(v);
    }
    toast('success', t('admin.queueSaved'));
  } catch (err) {
    // An opening or a rate refused (422), the event gone (404): said from their codes.
    showAdminError(err);
  } finally {
    saving = false;
    btn.disabled = false;
    btn.textContent = t('admin.queueSave');
  }
}
