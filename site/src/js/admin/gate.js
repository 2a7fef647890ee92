// The Portaria tab, per event: the live check-in report (GET /admin/events/{id}/gate, refreshed
// like the dashboard while the tab is open) and gate staff accounts (POST /admin/events/{id}/
// gate-staff). Times are the event's (its time zone).
import { api, ApiError } from '../api.js';
import { t, number, locale } from '../i18n.js';
import { $, h, mount, toast, alertMsg } from '../ui.js';
import { state, eventById } from './state.js';
import { panel, onTabShown } from './layout.js';
import { kpi } from './dashboard.js';
import { field, input } from './editor.js';
import { stackTable, th, row, cell, emptyRow } from './table.js';
import { zoneOf, zoneDateTime, zoneSuffix } from './tz.js';
import { showAdminError } from './errors.js';

const GATE_EVENT_KEY = 'bilheteria.admin.gateEvent';
let gateEventId = null;
let gateChart = null;
let failing = null;
let seq = 0;
const createdStaff = [];

export function gatePanel() {
  return panel('gate', { class: 'mt-6 space-y-6', dataset: { testid: 'gate-panel' } },
    h('div', { class: 'card flex flex-wrap items-end gap-4 p-5' },
      h('div', { class: 'min-w-0 flex-1 sm:min-w-[16rem]' },
        h('label', { class: 'label', for: 'gate-event-pick' }, t('admin.gateEvent')),
        h('select', { id: 'gate-event-pick', class: 'input', dataset: { testid: 'gate-event-pick' } }, h('option', { value: '' }, t('gate.pickEvent')))),
      h('a', { id: 'gate-open', class: 'btn-primary', href: 'gate.html', dataset: { testid: 'gate-open' } }, t('admin.gateOpen'))),
    h('div', { id: 'gate-unavailable', hidden: true, class: 'rounded-2xl border border-amber-200 bg-amber-50 p-5 text-amber-900', role: 'status', dataset: { testid: 'gate-unavailable' } }),
    h('div', { id: 'gate-body', class: 'space-y-6', hidden: true },
      h('dl', { id: 'gate-kpis', class: 'grid grid-cols-1 gap-3 sm:grid-cols-3 sm:gap-4' }),
      h('div', { class: 'grid gap-6 lg:grid-cols-3' },
        h('div', { class: 'card min-w-0 p-5 lg:col-span-2' },
          h('h2', { class: 'font-bold text-slate-900' }, t('admin.gatePerMinute')),
          h('div', { class: 'relative mt-4 h-64' }, h('canvas', { id: 'gate-chart', role: 'img', 'aria-label': t('admin.gatePerMinute') })),
          h('p', { id: 'gate-chart-empty', class: 'mt-2 text-sm text-slate-600', hidden: true }, t('admin.gateNoEntries'))),
        h('div', { class: 'card overflow-hidden' },
          h('h2', { class: 'p-5 pb-3 font-bold text-slate-900' }, t('admin.gatePerGate')),
          h('table', { class: 'table-base', dataset: { testid: 'gate-per-gate' } },
            h('thead', { class: 'bg-slate-50' }, h('tr', null, th(t('admin.gateName')), th(t('admin.gateEntries'), { right: true }))),
            h('tbody', { id: 'gate-per-gate', class: 'divide-y divide-slate-100' })))),
      h('div', { class: 'card overflow-hidden' },
        h('div', { class: 'p-5 pb-3' },
          h('h2', { class: 'font-bold text-slate-900' }, t('admin.gateConflicts')),
          h('p', { class: 'mt-1 text-sm text-slate-600' }, t('admin.gateConflictsHint')),
          h('p', { id: 'gate-zone', class: 'mt-1 text-xs text-slate-600' })),
        stackTable({
          testid: 'gate-conflicts', tbodyId: 'gate-conflicts',
          heads: [th(t('admin.gateTicket')), th(t('admin.gateFirst')), th(t('admin.gateFirstAt')), th(t('admin.gateSecond')), th(t('admin.gateSecondAt'))],
        }))),
    h('form', { id: 'gate-staff-form', class: 'card space-y-4 p-5 sm:p-6', novalidate: true, dataset: { testid: 'gate-staff-form' } },
      h('div', null,
        h('h2', { class: 'text-lg font-bold text-slate-900' }, t('admin.gateStaffTitle')),
        h('p', { class: 'mt-1 text-sm text-slate-600' }, t('admin.gateStaffHint'))),
      h('div', { class: 'grid gap-4 sm:grid-cols-3' },
        field(t('admin.gateStaffName'), input({ id: 'gs-name', required: true, maxlength: 120, autocomplete: 'off' })),
        field(t('auth.email'), input({ id: 'gs-email', type: 'email', required: true, autocomplete: 'off' })),
        field(t('auth.password'), input({ id: 'gs-password', type: 'password', required: true, minlength: 8, autocomplete: 'new-password' }))),
      h('button', { type: 'submit', id: 'gs-submit', class: 'btn-primary', dataset: { testid: 'gate-staff-submit' } }, t('admin.gateStaffCreate')),
      h('ul', { id: 'gate-staff-list', class: 'divide-y divide-slate-100 text-sm', dataset: { testid: 'gate-staff-list' } })));
}

export function wireGatePanel() {
  $('#gate-event-pick').addEventListener('change', (e) => setGateEvent(e.target.value || null));
  $('#gate-staff-form').addEventListener('submit', createStaff);
  gateEventId = (() => { try { return localStorage.getItem(GATE_EVENT_KEY); } catch { return null; } })();
  updateGateLink();
  onTabShown('gate', loadGateReport);
}

export function renderGatePicker() {
  const select = $('#gate-event-pick');
  if (!select) return;
  const events = state.events.filter((e) => e.status !== 'deleting');
  if (gateEventId && !events.some((e) => e.id === gateEventId)) gateEventId = null;
  mount(select, h('option', { value: '' }, t('gate.pickEvent')),
    events.map((e) => h('option', { value: e.id, selected: e.id === gateEventId }, `${e.name} · ${zoneDateTime(e.starts_at, zoneOf(e))}`)));
  select.value = gateEventId || '';
  updateGateLink();
}

export function setGateEvent(id) {
  gateEventId = id;
  try { if (id) localStorage.setItem(GATE_EVENT_KEY, id); else localStorage.removeItem(GATE_EVENT_KEY); } catch { /* storage unavailable */ }
  const select = $('#gate-event-pick');
  if (select) select.value = id || '';
  failing = null;
  updateGateLink();
  $('#gate-body').hidden = true;
  loadGateReport();
}

function updateGateLink() {
  const a = $('#gate-open');
  if (a) a.href = gateEventId ? `gate.html?event=${encodeURIComponent(gateEventId)}` : 'gate.html';
  const submit = $('#gs-submit');
  if (submit) submit.disabled = !gateEventId;
}

/** A report minute (epoch seconds or ms, or ISO) as "20:31" in the event's zone. */
function minuteLabel(m, zone) {
  const d = typeof m === 'number' ? new Date(m < 1e12 ? m * 1000 : m) : new Date(m);
  return Number.isNaN(d.getTime()) ? String(m) : new Intl.DateTimeFormat(locale(), { hour: '2-digit', minute: '2-digit', timeZone: zone }).format(d);
}

function renderGateReport(r) {
  const zone = zoneOf(eventById(gateEventId));
  const issued = Number(r.issued) || 0;
  const checked = Number(r.checked_in) || 0;
  mount($('#gate-kpis'),
    kpi(t('admin.gateCheckedIn'), `${number(checked)} / ${number(issued)}`, 'gate-checked-in', checked),
    kpi(t('admin.gateIssued'), number(issued), 'gate-issued', issued),
    kpi(t('admin.gateNoShows'), number(r.no_shows), 'gate-no-shows', Number(r.no_shows) || 0));
  const perGate = Array.isArray(r.per_gate) ? r.per_gate : [];
  mount($('#gate-per-gate'), perGate.length
    ? perGate.map((g) => h('tr', { dataset: { gate: g.gate } }, h('td', { class: 'font-medium' }, g.gate), h('td', { class: 'text-right tabular-nums' }, number(g.count))))
    : emptyRow(2, t('admin.gateNoEntries')));
  $('#gate-zone').textContent = t('admin.timesIn', { zone: zoneSuffix(zone) });
  const conflicts = Array.isArray(r.conflicts) ? r.conflicts : [];
  const [ticket, first, firstAt, second, secondAt] = ['admin.gateTicket', 'admin.gateFirst', 'admin.gateFirstAt', 'admin.gateSecond', 'admin.gateSecondAt'].map((k) => t(k));
  const when = (iso) => zoneDateTime(iso, zone, { suffix: false });
  mount($('#gate-conflicts'), conflicts.length
    ? conflicts.map((c) => row({ dataset: { ticketId: c.ticket_id } },
      cell(ticket, h('code', { class: 'break-all text-xs' }, c.ticket_id)),
      cell(first, c.first?.gate || '—', { cls: 'font-medium' }), cell(firstAt, when(c.first?.at)),
      cell(second, c.second?.gate || '—', { cls: 'font-medium' }), cell(secondAt, when(c.second?.at))))
    : emptyRow(5, t('admin.gateNoConflicts')));
  renderGateChart(Array.isArray(r.per_minute) ? r.per_minute.slice(-90) : [], zone);
}

function renderGateChart(points, zone) {
  $('#gate-chart-empty').hidden = points.some((p) => p.count > 0);
  const labels = points.map((p) => minuteLabel(p.minute, zone));
  const counts = points.map((p) => Number(p.count) || 0);
  if (!window.Chart) return;
  if (!gateChart) {
    gateChart = new window.Chart($('#gate-chart'), {
      type: 'bar',
      data: { labels, datasets: [{ label: t('admin.gateEntries'), data: counts, backgroundColor: 'rgba(5,150,105,.8)', borderRadius: 4, maxBarThickness: 48 }] },
      options: {
        responsive: true, maintainAspectRatio: false, animation: false,
        plugins: { legend: { display: false } },
        scales: { y: { beginAtZero: true, ticks: { precision: 0, color: '#475569' } }, x: { ticks: { color: '#475569', maxRotation: 0, autoSkip: true, maxTicksLimit: 12 } } },
      },
    });
  } else {
    gateChart.data.labels = labels;
    gateChart.data.datasets[0].data = counts;
    gateChart.update('none');
  }
}

export async function loadGateReport() {
  if (!gateEventId || $('#panel-gate')?.hidden) return;
  const id = gateEventId;
  const mine = ++seq;
  try {
    const r = await api.gateReport(id);
    if (mine !== seq || id !== gateEventId) return;
    failing = null;
    $('#gate-unavailable').hidden = true;
    $('#gate-body').hidden = false;
    renderGateReport(r);
  } catch (err) {
    if (mine !== seq) return;
    if (err instanceof ApiError && err.notBuilt) {
      const box = $('#gate-unavailable');
      box.hidden = false;
      box.textContent = t('admin.gateUnavailable', { status: err.status });
    } else if (!failing) {
      showAdminError(err);
    }
    failing = err;
  }
}

async function createStaff(e) {
  e.preventDefault();
  const form = e.currentTarget;
  if (!gateEventId) { alertMsg('warning', t('gate.pickEvent')); return; }
  if (!form.reportValidity()) return;
  const btn = $('#gs-submit');
  btn.disabled = true;
  const body = { name: $('#gs-name').value.trim(), email: $('#gs-email').value.trim(), password: $('#gs-password').value };
  try {
    const staff = await api.createGateStaff(gateEventId, body);
    createdStaff.unshift({ ...body, ...staff, event: eventById(gateEventId)?.name || '' });
    mount($('#gate-staff-list'), createdStaff.map((s) => h('li', { class: 'flex flex-wrap justify-between gap-2 py-2', dataset: { testid: 'gate-staff' } },
      h('span', { class: 'font-medium text-slate-900' }, s.name), h('span', { class: 'break-all text-slate-600' }, `${s.email} · ${s.event}`))));
    form.reset();
    toast('success', t('admin.gateStaffCreated', { email: staff?.email || body.email }));
  } catch (err) {
    // A taken e-mail, a weak password: said from their codes (problem.email_taken, …).
    showAdminError(err);
  } finally {
    btn.disabled = false;
    updateGateLink();
  }
}
