// The events tab's list (GET /admin/events, every page) and what can be done to each event:
// edit, its waiting room, its gate, pause / resume, cancel, delete — each behind a confirmation whose buttons say
// what they do ("Sim, cancelar o evento" / "Voltar"). Every write names the version the list
// read (If-Match); a change made meanwhile by another admin (409 + current_version) reloads.
import { api, ApiError } from '../api.js';
import { t } from '../i18n.js';
import { $, h, mount, confirmDialog, toast, alertMsg } from '../ui.js';
import { state, CLOSING, SWEEPING } from './state.js';
import { panel, selectTab } from './layout.js';
import { zoneOf, zoneDateTime } from './tz.js';
import { editing, renderForm } from './editor.js';
import { statusPill, loadDashboard } from './dashboard.js';
import { setGateEvent, renderGatePicker } from './gate.js';
import { setQueueEvent, renderQueuePicker } from './queue.js';
import { renderAuditPicker } from './audit.js';
import { showAdminError } from './errors.js';

const SWEEP_REFRESH_MS = 4000;
const SWEEP_REFRESH_MAX = 30;
let listSeq = 0;
let sweepTimer = null;
let sweepPolls = 0;

export function eventsPanel() {
  return panel('events', { class: 'mt-6 grid gap-6 xl:grid-cols-5' },
    h('form', { id: 'event-form', class: 'card min-w-0 space-y-5 p-4 sm:p-6 xl:col-span-3', novalidate: true, dataset: { testid: 'event-form' } }),
    h('div', { class: 'min-w-0 xl:col-span-2' },
      h('div', { class: 'card overflow-hidden' },
        h('h2', { class: 'p-5 pb-2 font-bold text-slate-900' }, t('admin.eventsList')),
        h('p', { id: 'list-note', class: 'px-5 text-xs text-amber-900', hidden: true }),
        h('ul', { id: 'admin-events', class: 'divide-y divide-slate-100', dataset: { testid: 'admin-events' } }))));
}

export async function loadList() {
  const seq = ++listSeq;
  const note = $('#list-note');
  let list = state.events;
  try {
    list = await api.adminEvents();
    note.hidden = true;
  } catch (err) {
    if (err instanceof ApiError && err.notBuilt) {
      try { list = await api.events(); } catch (e2) { showAdminError(e2); list = []; }
      note.hidden = false;
      note.textContent = t('admin.listFallback');
    } else {
      showAdminError(err);
    }
  }
  if (seq !== listSeq) return; // a later reload has answered (or will) — it wins
  state.events = list;
  renderList();
  scheduleSweepRefresh();
}

function listItem(ev) {
  const closing = CLOSING.has(ev.status);
  const zone = zoneOf(ev);
  const act = (name, label, danger = false) => h('button', {
    type: 'button', class: `btn-secondary btn-sm${danger ? ' text-rose-700' : ''}`, dataset: { act: name, id: ev.id },
  }, label);
  const actions = [
    closing ? null : act('edit', t('admin.edit')),
    closing ? null : act('queue', t('admin.queueAction')),
    ev.status === 'deleting' ? null : act('gate', t('admin.gateAction')),
    ev.status === 'active' ? act('pause', t('admin.pause')) : null,
    ev.status === 'paused' ? act('resume', t('admin.resume')) : null,
    closing ? null : act('cancel', t('admin.cancelEventAction'), true),
    closing ? null : act('delete', t('admin.delete'), true),
  ].filter(Boolean);
  return h('li', { class: 'p-4', dataset: { testid: 'admin-event', eventId: ev.id, status: ev.status } },
    h('div', { class: 'flex items-start justify-between gap-2' },
      h('div', { class: 'min-w-0' },
        h('p', { class: 'break-words font-semibold text-slate-900', dataset: { testid: 'admin-event-name' } }, ev.name),
        h('p', { class: 'text-xs text-slate-600', dataset: { testid: 'admin-event-when' } }, `${zoneDateTime(ev.starts_at, zone)} · ${ev.venue}`),
        ev.sales_end_at ? h('p', { class: 'text-xs text-slate-600' }, t('admin.salesUntil', { when: zoneDateTime(ev.sales_end_at, zone, { suffix: false }) })) : null),
      statusPill(ev.status)),
    actions.length ? h('div', { class: 'mt-3 flex flex-wrap gap-2' }, actions) : null);
}

export function renderList() {
  mount($('#admin-events'), state.events.length ? state.events.map(listItem) : h('li', { class: 'p-4 text-sm text-slate-600' }, t('events.empty')));
  renderGatePicker();
  renderQueuePicker();
  renderAuditPicker();
}

/** While an event is cancelling or deleting (its sweep still running), reloads the list every few seconds. */
function scheduleSweepRefresh(reset = false) {
  if (reset) sweepPolls = 0;
  if (!state.events.some((x) => SWEEPING.has(x.status))) { sweepPolls = 0; return; }
  if (sweepTimer || sweepPolls >= SWEEP_REFRESH_MAX) return;
  sweepPolls += 1;
  sweepTimer = setTimeout(() => {
    sweepTimer = null;
    loadList();
    loadDashboard();
  }, SWEEP_REFRESH_MS);
}

/**
 * Another admin changed the event since the console read it (409 + current_version): says so,
 * reloads the list and, if the editor was open on that event, reopens it with the fresh one.
 */
export async function staleConflict(id) {
  await alertMsg('warning', t('admin.staleTitle'), t('admin.staleVersion'));
  const reopen = Boolean(id) && editing.id === id;
  await loadList();
  loadDashboard();
  if (reopen) {
    const fresh = state.events.find((x) => x.id === id);
    renderForm(fresh && !CLOSING.has(fresh.status) ? fresh : null);
  }
}

/** A cancel or delete answered 202: the event is shown as it is now (cancelling / deleting). */
async function sweepUnderWay(ev, updated, kind) {
  const now = { ...ev, ...(updated || {}), status: updated?.status || kind };
  state.events = state.events.map((x) => (x.id === ev.id ? now : x));
  renderList();
  scheduleSweepRefresh(true);
  loadDashboard();
  await alertMsg('info', t(`admin.${kind}Title`), t(`admin.${kind}Text`));
}

/** The confirmation of each action: [title, text, danger, "yes" caption]; "Voltar" says no. */
function confirmation(act, ev) {
  return {
    pause: [t('admin.confirmPause', { name: ev.name }), t('admin.confirmPauseText'), false, t('admin.confirmPauseYes')],
    resume: [t('admin.confirmResume', { name: ev.name }), t('admin.confirmResumeText'), false, t('admin.confirmResumeYes')],
    cancel: [t('admin.confirmCancel', { name: ev.name }), t('admin.confirmCancelText'), true, t('admin.confirmCancelYes')],
    delete: [t('admin.confirmDelete', { name: ev.name }), t('admin.confirmDeleteText'), true, t('admin.confirmDeleteYes')],
  }[act];
}

async function onListClick(e) {
  const btn = e.target.closest('button[data-act]');
  if (!btn) return;
  const ev = state.events.find((x) => x.id === btn.dataset.id);
  if (!ev) return;
  const act = btn.dataset.act;
  if (act === 'gate') {
    selectTab('gate', true);
    setGateEvent(ev.id);
    $('#panel-gate').scrollIntoView({ behavior: 'smooth', block: 'start' });
    return;
  }
  if (act === 'queue') {
    selectTab('queue', true);
    setQueueEvent(ev.id);
    $('#panel-queue').scrollIntoView({ behavior: 'smooth', block: 'start' });
    return;
  }
  if (act === 'edit') {
    renderForm(ev);
    $('#event-form').scrollIntoView({ behavior: 'smooth', block: 'start' });
    $('#ev-name').focus({ preventScroll: true });
    return;
  }
  const [title, text, danger, yes] = confirmation(act, ev);
  if (!(await confirmDialog(title, text, { danger, confirmText: yes, cancelText: t('admin.back') }))) return;
  btn.disabled = true;
  // Every write names the version of the event as the list last loaded it.
  const version = Number.isInteger(ev.version) ? ev.version : null;
  const editingThis = editing.id === ev.id;
  try {
    if (act === 'pause' || act === 'resume') {
      const updated = await api.setEventStatus(ev.id, act === 'pause' ? 'paused' : 'active', version);
      // The editor open on this event, at the version just changed, follows the new version (only
      // the status changed, and by this admin); an editor based on an older version stays stale.
      if (editingThis && editing.version != null && editing.version === version && Number.isInteger(updated?.version)) {
        editing.version = updated.version;
      }
      toast('success', t('admin.done'));
    }
    if (act === 'cancel' || act === 'delete') {
      const r = act === 'cancel' ? await api.cancelEvent(ev.id, version) : await api.deleteEvent(ev.id, version);
      if (editingThis) renderForm(); // the event can no longer be edited
      if (r.status === 202) {
        await sweepUnderWay(ev, r.event, act === 'cancel' ? 'cancelling' : 'deleting');
        return; // the list is refreshed a few seconds later, until the sweep ends
      }
      toast('success', t('admin.done'));
    }
  } catch (err) {
    if (err instanceof ApiError && err.staleVersion) {
      await staleConflict(ev.id);
      return;
    }
    await showAdminError(err);
  }
  loadList();
  loadDashboard();
}

export function wireEventsList() {
  $('#admin-events').addEventListener('click', onListClick);
}
