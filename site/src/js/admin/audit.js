// The Auditoria tab: who did what to which object, when (GET /admin/audit, newest first),
// filtered by event and by action. The server narrows the list with `?event=&action=`; one
// that does not know those filters yet answers everything, and the console filters it here.
import { ApiError, session } from '../api.js';
import { t, has, dateTime } from '../i18n.js';
import { $, h, mount } from '../ui.js';
import { state, eventById } from './state.js';
import { panel, onTabShown } from './layout.js';
import { adminApi } from './api.js';
import { stackTable, th, row, cell, emptyRow } from './table.js';
import { zoneOf, zoneDateTime } from './tz.js';
import { showAdminError } from './errors.js';
import { entryEvent, applyFilters } from './audit-filter.js';

/** The actions the server records (others it may add are listed as they appear). */
export const ACTIONS = [
  'event.create', 'event.update', 'event.pause', 'event.resume', 'event.cancel', 'event.cancelled', 'event.delete', 'event.deleted', 'event.queue',
  'user.create_gate_staff', 'user.create_admin', 'user.set_role', 'ticket.transfer',
];
const seenActions = new Set(ACTIONS);
let seq = 0;

export const actionLabel = (a) => (has(`admin.audit.${a}`) ? t(`admin.audit.${a}`) : a);

export function auditPanel() {
  return panel('audit', { class: 'mt-6 space-y-6', dataset: { testid: 'audit-panel' } },
    h('form', { id: 'audit-filters', class: 'card flex flex-wrap items-end gap-4 p-5', dataset: { testid: 'audit-filters' } },
      h('div', { class: 'w-full min-w-0 sm:w-auto sm:flex-1 sm:min-w-[16rem]' },
        h('label', { class: 'label', for: 'audit-event' }, t('admin.auditEvent')),
        h('select', { id: 'audit-event', class: 'input', dataset: { testid: 'audit-event' } }, h('option', { value: '' }, t('admin.auditAllEvents')))),
      h('div', { class: 'w-full min-w-0 sm:w-auto sm:flex-1 sm:min-w-[14rem]' },
        h('label', { class: 'label', for: 'audit-action' }, t('admin.auditAction')),
        h('select', { id: 'audit-action', class: 'input', dataset: { testid: 'audit-action' } })),
      h('button', { type: 'submit', class: 'btn-secondary', dataset: { testid: 'audit-refresh' } }, t('admin.auditRefresh'))),
    h('div', { id: 'audit-unavailable', hidden: true, class: 'rounded-2xl border border-amber-200 bg-amber-50 p-5 text-amber-900', role: 'status' }),
    h('div', { class: 'card overflow-hidden' },
      h('div', { class: 'p-5 pb-3' },
        h('h2', { class: 'font-bold text-slate-900' }, t('admin.auditTitle')),
        h('p', { id: 'audit-count', class: 'mt-1 text-sm text-slate-600', 'aria-live': 'polite', dataset: { testid: 'audit-count' } })),
      stackTable({
        testid: 'audit-table', tbodyId: 'audit-tbody', label: t('admin.auditTitle'),
        heads: [th(t('admin.auditWhen')), th(t('admin.auditAction')), th(t('admin.auditTarget')), th(t('admin.auditActor')), th(t('admin.auditChanges'))],
      })));
}

function renderActionPicker() {
  const select = $('#audit-action');
  const current = select.value;
  mount(select, h('option', { value: '' }, t('admin.auditAllActions')),
    [...seenActions].map((a) => h('option', { value: a, selected: a === current }, actionLabel(a))));
  select.value = current;
}

/** The event filter's options (the events the console knows); called when the list reloads. */
export function renderAuditPicker() {
  const select = $('#audit-event');
  if (!select) return;
  const current = select.value;
  mount(select, h('option', { value: '' }, t('admin.auditAllEvents')),
    state.events.map((e) => h('option', { value: e.id, selected: e.id === current }, e.name)));
  select.value = state.events.some((e) => e.id === current) ? current : '';
}

const short = (v) => {
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return s == null ? t('common.none') : (s.length > 80 ? `${s.slice(0, 79)}…` : s);
};

/** The fields an entry changed ("status: active → paused"), folded. */
function changes(e) {
  const before = e.before && typeof e.before === 'object' ? e.before : {};
  const after = e.after && typeof e.after === 'object' ? e.after : {};
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])]
    .filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]));
  if (!e.before || !e.after || !keys.length) return h('span', { class: 'text-slate-600' }, t('common.none'));
  return h('details', { class: 'max-w-md text-left' },
    h('summary', { class: 'cursor-pointer text-sm font-medium text-brand-700' }, t('admin.auditChangedFields', { n: keys.length })),
    h('ul', { class: 'mt-1 space-y-0.5 text-xs text-slate-700' }, keys.map((k) => h('li', { class: 'break-words' },
      h('span', { class: 'font-semibold' }, k), ': ', short(before[k]), ' → ', short(after[k])))));
}

function targetCell(e) {
  const evId = entryEvent(e);
  const ev = evId ? eventById(evId) : null;
  const obj = e.after || e.before || {};
  if (ev) return h('span', { class: 'font-medium text-slate-900', dataset: { eventId: ev.id } }, ev.name);
  if (String(e.action).startsWith('event.') && obj.name) return h('span', { class: 'font-medium text-slate-900' }, obj.name);
  if (String(e.action).startsWith('user.') && (obj.email || obj.name)) return h('span', { class: 'break-all' }, obj.email || obj.name);
  return h('code', { class: 'break-all text-xs' }, String(e.target ?? ''));
}

function actorCell(e) {
  const me = session.user;
  if (me && e.actor === me.id) return h('span', null, t('admin.auditYou', { email: me.email || me.name || '' }));
  return h('code', { class: 'break-all text-xs' }, String(e.actor ?? ''));
}

function entryRow(e) {
  const [when, action, target, actor, changed] = ['admin.auditWhen', 'admin.auditAction', 'admin.auditTarget', 'admin.auditActor', 'admin.auditChanges'].map((k) => t(k));
  const ev = eventById(entryEvent(e));
  // An event's action at the event's own time; the others at the admin's.
  const at = ev ? zoneDateTime(e.at, zoneOf(ev)) : dateTime(e.at, { dateStyle: 'medium', timeStyle: 'medium' });
  return row({ dataset: { testid: 'audit-entry', action: e.action, target: e.target, eventId: entryEvent(e) || null } },
    cell(when, h('time', { datetime: e.at }, at), { cls: 'md:min-w-[11rem] md:!whitespace-normal' }),
    cell(action, h('span', { class: 'badge-slate' }, actionLabel(e.action))),
    cell(target, targetCell(e), { cls: 'md:min-w-[10rem] md:!whitespace-normal' }),
    cell(actor, actorCell(e)),
    cell(changed, changes(e), { cls: 'whitespace-normal' }));
}

export async function loadAudit() {
  const filters = { event: $('#audit-event').value || null, action: $('#audit-action').value || null };
  const mine = ++seq;
  try {
    const entries = await adminApi.audit(filters);
    if (mine !== seq) return;
    $('#audit-unavailable').hidden = true;
    for (const e of entries) if (e.action) seenActions.add(e.action);
    renderActionPicker();
    const list = applyFilters(entries, filters);
    $('#audit-count').textContent = t('admin.auditCount', { n: list.length });
    mount($('#audit-tbody'), list.length ? list.map(entryRow) : emptyRow(5, t('admin.auditEmpty')));
  } catch (err) {
    if (mine !== seq) return;
    if (err instanceof ApiError && err.notBuilt) {
      const box = $('#audit-unavailable');
      box.hidden = false;
      box.textContent = t('admin.auditUnavailable', { status: err.status });
    } else {
      showAdminError(err);
    }
  }
}

export function wireAudit() {
  renderActionPicker();
  $('#audit-filters').addEventListener('submit', (e) => { e.preventDefault(); loadAudit(); });
  $('#audit-event').addEventListener('change', loadAudit);
  $('#audit-action').addEventListener('change', loadAudit);
  onTabShown('audit', loadAudit);
}
