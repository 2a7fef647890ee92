// gate.html — the gate scanner, for gate staff (role 'gate', their event from GET /me's
// `gate_event_id`) and admins (any event: ?event=<id> or the picker). Phone-first.
//
// Online, a scan is POST /gate/checkins and the server's answer decides (200 in, 409 already
// used, 410 revoked, 400 invalid, 422 another event). Offline — navigator.onLine false, or a
// check-in that cannot reach the server — the page decides by itself (gate/decide.js): the QR's
// Ed25519 signature checked with the manifest's public keys, then the manifest's entry and this
// device's own scans. Accepted offline scans wait in IndexedDB and are sent (POST
// /gate/events/{id}/scans) once the network is back. The manifest is refreshed every 15 s
// while online (`since=<cursor>`).
import { api, session, ApiError } from '../api.js';
import { t, locale, number, timeOnly } from '../i18n.js';
import {
  initPage, $, h, mount, param, requireLogin, every, problemText, errorTitle, toast,
} from '../ui.js';
import { icon, spinner } from '../dom.js';
import { decodeTicket, verifyTicket, keyRing, TicketCodeError } from '../gate/ticket-code.js';
import { createVerifier } from '../gate/ed25519.js';
import { decideOffline } from '../gate/decide.js';
import * as store from '../gate/store.js';
import { refreshManifest, syncPending } from '../gate/sync.js';
import { startCamera, cameraErrorCode, prepareDecoder } from '../gate/camera.js';
import { entitlementLabel } from '../entitlement.js';
import { GATE_MANIFEST_REFRESH_MS, GATE_CHECKIN_TIMEOUT_MS } from '../config.js';

const root = $('#gate-root');
const GATE_KEY = 'bilheteria.gate.name';
const CAMERA_KEY = 'bilheteria.gate.camera';
const EVENT_KEY = 'bilheteria.gate.event';
const KEYS_KEY = 'bilheteria.gate.keys';
const RECENT_MAX = 8;
/** After the server could not be reached, scans are decided offline for this long before trying it again. */
const SERVER_DOWN_MS = 15000;

const verify = createVerifier();
const state = {
  eventId: null,
  eventName: '',
  events: [],
  camera: null,
  busy: false,
  serverDownUntil: 0,
  manifest: { state: 'none', count: 0, at: null },
  pending: 0,
  recent: [],
};

const store$ = (k, v) => { try { if (v === undefined) return localStorage.getItem(k); localStorage.setItem(k, v); } catch { /* storage unavailable */ } return null; };
const gateName = () => ($('#gate-name')?.value || '').trim();
const offlineNow = () => !navigator.onLine || Date.now() < state.serverDownUntil;

// ---- formatting ------------------------------------------------------------------------------

/** "21:04" today, "12/03 21:04" another day, in the device's time zone. */
function whenShort(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const time = new Intl.DateTimeFormat(locale(), { hour: '2-digit', minute: '2-digit' }).format(d);
  if (d.toDateString() === new Date().toDateString()) return time;
  return `${new Intl.DateTimeFormat(locale(), { day: '2-digit', month: '2-digit' }).format(d)} ${time}`;
}

function usedText(at, gate) {
  const time = whenShort(at);
  if (time && gate) return t('gate.usedAt', { time, gate });
  if (time) return t('gate.usedAtTime', { time });
  if (gate) return t('gate.usedAtGate', { gate });
  return t('gate.usedBefore');
}

const reasonText = (reason) => t(['refunded', 'cancelled', 'transferred'].includes(reason) ? `gate.reason.${reason}` : 'gate.reason.other');

// ---- layout ------------------------------------------------------------------------------------

function layout() {
  const saved = store$(GATE_KEY) || '';
  // Phone-first: status, gate, camera and the result fit one 390×844 screen; the code field
  // and the latest scans follow.
  mount(root,
    h('div', { class: 'flex items-start justify-between gap-3' },
      h('div', { class: 'min-w-0' },
        h('h1', { class: 'text-xl font-extrabold tracking-tight text-slate-900' }, t('gate.title')),
        h('p', { id: 'gate-event', class: 'truncate text-sm font-medium text-slate-600', dataset: { testid: 'gate-event-name' } }, t('common.loading'))),
      h('p', { id: 'net-state', class: 'shrink-0', role: 'status', dataset: { testid: 'net-state' } })),
    h('div', { class: 'mt-2 flex flex-wrap items-center gap-x-3 gap-y-1' },
      h('p', { id: 'pending', class: 'rounded-lg px-2.5 py-1 text-sm font-semibold', 'aria-live': 'polite', dataset: { testid: 'pending-count', value: '0' } }),
      h('p', { id: 'manifest-state', class: 'text-xs text-slate-600', 'aria-live': 'polite', dataset: { testid: 'manifest-state', state: 'none' } })),
    session.isAdmin ? h('div', { class: 'mt-2' },
      h('label', { for: 'gate-event-select', class: 'label' }, t('gate.event')),
      h('select', { id: 'gate-event-select', class: 'input py-3 text-base', dataset: { testid: 'gate-event-select' } },
        h('option', { value: '' }, t('gate.pickEvent')))) : null,
    h('div', { class: 'mt-2 flex items-center gap-3' },
      h('label', { for: 'gate-name', class: 'shrink-0 text-sm font-semibold text-slate-700' }, t('gate.gateName')),
      h('input', {
        id: 'gate-name', class: 'input py-3 text-base', maxlength: 40, required: true, autocomplete: 'off', spellcheck: 'false',
        placeholder: t('gate.gateNamePlaceholder'), value: saved, 'aria-describedby': 'gate-name-hint', dataset: { testid: 'gate-name' },
      })),
    h('p', { id: 'gate-name-hint', class: 'sr-only' }, t('gate.gateNameHint')),
    h('section', { class: 'card mt-3 overflow-hidden', 'aria-labelledby': 'cam-title' },
      h('h2', { id: 'cam-title', class: 'sr-only' }, t('gate.camera')),
      h('div', { class: 'relative h-44 w-full bg-slate-900 sm:h-64' },
        h('video', { id: 'cam-video', class: 'h-full w-full object-cover', muted: true, playsinline: true, 'aria-label': t('gate.cameraPreview'), dataset: { testid: 'camera-video' } }),
        h('div', { 'aria-hidden': 'true', class: 'pointer-events-none absolute inset-y-3 left-1/2 aspect-square -translate-x-1/2 rounded-2xl border-4 border-white/70' }),
        h('p', { id: 'cam-off', class: 'absolute inset-0 grid place-items-center p-6 text-center text-sm font-medium text-slate-200' }, t('gate.cameraOff'))),
      h('div', { class: 'grid grid-cols-2 gap-2 p-2' },
        h('button', { type: 'button', id: 'cam-toggle', class: 'btn-primary py-3.5 text-base', 'aria-pressed': 'false', dataset: { testid: 'camera-toggle' } }, t('gate.cameraStart')),
        h('button', { type: 'button', id: 'scan-next', class: 'btn-secondary py-3.5 text-base', dataset: { testid: 'scan-next' } }, t('gate.next'))),
      h('p', { id: 'cam-msg', class: 'px-3 pb-3 text-sm font-medium text-rose-700', role: 'alert', hidden: true, dataset: { testid: 'camera-message' } })),
    h('div', { id: 'gate-result', class: 'mt-3', 'aria-live': 'assertive', 'aria-atomic': 'true', dataset: { testid: 'gate-result', outcome: 'idle' } }),
    h('form', { id: 'manual-form', class: 'card mt-3 p-4', novalidate: true },
      h('label', { for: 'manual-code', class: 'label' }, t('gate.manual')),
      h('input', {
        id: 'manual-code', class: 'input py-3 font-mono text-sm', autocomplete: 'off', autocapitalize: 'off', spellcheck: 'false',
        enterkeyhint: 'go', placeholder: 'BLH1.…', 'aria-describedby': 'manual-hint', dataset: { testid: 'manual-code' },
      }),
      h('p', { id: 'manual-hint', class: 'mt-1 text-xs text-slate-600' }, t('gate.manualHint')),
      h('button', { type: 'submit', class: 'btn-primary mt-3 w-full py-4 text-base', dataset: { testid: 'manual-submit' } }, t('gate.validate'))),
    h('section', { class: 'card mt-3 p-4', 'aria-labelledby': 'recent-title' },
      h('h2', { id: 'recent-title', class: 'font-bold text-slate-900' }, t('gate.recent')),
      h('ol', { id: 'recent', class: 'mt-2 divide-y divide-slate-100 text-sm', dataset: { testid: 'recent' } })));

  $('#gate-name').addEventListener('input', () => store$(GATE_KEY, gateName()));
  $('#cam-toggle').addEventListener('click', () => (state.camera ? stopCamera() : startScanning()));
  $('#scan-next').addEventListener('click', () => {
    state.camera?.rearm();
    showResult({ outcome: 'idle' });
  });
  $('#manual-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const input = $('#manual-code');
    const text = input.value.trim();
    if (!text) { input.focus(); return; }
    if ((await check(text)) !== false) input.value = '';
    input.focus();
  });
  $('#gate-event-select')?.addEventListener('change', (e) => setEvent(e.target.value || null));
  window.addEventListener('online', () => { state.serverDownUntil = 0; renderNet(); tick(); });
  window.addEventListener('offline', renderNet);
  renderNet();
  renderPending();
  renderManifest();
  showResult({ outcome: 'idle' });
}

// ---- status line -------------------------------------------------------------------------------

function renderNet() {
  const el = $('#net-state');
  if (!el) return;
  const net = !navigator.onLine ? 'offline' : Date.now() < state.serverDownUntil ? 'unreachable' : 'online';
  el.dataset.state = net;
  const cls = {
    online: 'bg-emerald-100 text-emerald-900',
    offline: 'bg-amber-400 text-slate-950',
    unreachable: 'bg-amber-400 text-slate-950',
  }[net];
  const dot = net === 'online' ? 'bg-emerald-500' : 'bg-slate-950';
  mount(el, h('span', { class: `inline-flex items-center gap-2 rounded-full px-3 py-1.5 text-sm font-bold ${cls}` },
    h('span', { class: `h-2.5 w-2.5 rounded-full ${dot}`, 'aria-hidden': 'true' }), t(`gate.net.${net}`)));
}

function renderPending() {
  const el = $('#pending');
  if (!el) return;
  const n = state.pending;
  el.dataset.value = String(n);
  el.className = `rounded-lg px-2.5 py-1 text-sm font-semibold ${n ? 'bg-amber-100 text-amber-900' : 'bg-slate-100 text-slate-600'}`;
  el.textContent = n === 0 ? t('gate.pendingNone') : n === 1 ? t('gate.pendingOne') : t('gate.pending', { n: number(n) });
}

function renderManifest() {
  const el = $('#manifest-state');
  if (!el) return;
  const m = state.manifest;
  el.dataset.state = m.state;
  el.dataset.count = String(m.count);
  if (m.state === 'ready') el.textContent = t('gate.manifestReady', { n: number(m.count), time: m.at ? timeOnly(new Date(m.at)) : '—' });
  else if (m.state === 'loading') el.textContent = t('gate.manifestLoading');
  else if (m.state === 'error') el.textContent = t('gate.manifestError', { why: m.why || '' });
  else el.textContent = t('gate.manifestNone');
}

async function updatePending() {
  try { state.pending = await store.pendingCount(); } catch { /* IndexedDB unavailable */ }
  renderPending();
}

// ---- the result panel --------------------------------------------------------------------------

const STYLE = {
  idle: 'border-2 border-dashed border-slate-300 bg-white text-slate-600',
  checking: 'border-2 border-slate-300 bg-white text-slate-700',
  accepted: 'bg-emerald-600 text-white',
  already_used: 'bg-rose-600 text-white',
  revoked: 'bg-rose-600 text-white',
  invalid: 'bg-rose-700 text-white',
  wrong_event: 'bg-rose-600 text-white',
  no_data: 'bg-slate-800 text-white',
  need_gate: 'bg-amber-100 text-amber-950 border-2 border-amber-400',
  error: 'bg-slate-800 text-white',
};

function ticketFacts(r) {
  const tk = r.ticket;
  if (!tk) return null;
  const row = (label, value, testid) => (value ? h('div', { class: 'flex justify-between gap-3' },
    h('dt', { class: 'opacity-80' }, label), h('dd', { class: 'text-right font-semibold', dataset: { testid } }, value)) : null);
  return h('dl', { class: 'mt-3 space-y-0.5 rounded-xl bg-black/15 px-3 py-2 text-left text-base' },
    row(t('gate.sector'), tk.sector, 'result-sector'),
    row(t('gate.lot'), tk.lot, 'result-lot'),
    row(t('gate.holder'), tk.holderName, 'result-holder'),
    row(t('gate.cpf'), tk.cpfMasked, 'result-cpf'));
}

function halfNotice(r) {
  if (r.ticket?.priceType !== 'half' || !['accepted', 'already_used'].includes(r.outcome)) return null;
  return h('div', { class: 'mt-3 rounded-xl bg-yellow-300 p-3 text-slate-950 shadow-inner', dataset: { testid: 'half-notice' } },
    h('p', { class: 'text-xl font-black leading-tight tracking-tight' }, t('gate.halfNotice')),
    h('p', { class: 'mt-1 text-base font-semibold', dataset: { testid: 'half-entitlement' } },
      r.ticket.entitlement ? entitlementLabel(r.ticket.entitlement) : t('gate.entitlementUnknown')));
}

function detailOf(r) {
  switch (r.outcome) {
    case 'idle': return state.camera ? t('gate.idleCamera') : t('gate.idle');
    case 'checking': return t('gate.checking');
    case 'already_used': return usedText(r.checkedInAt, r.gate);
    case 'revoked': return reasonText(r.reason);
    case 'invalid': return t('gate.invalidText');
    case 'wrong_event': return t('gate.wrongEventText');
    case 'no_data': return t('gate.noDataText');
    case 'need_gate': return t('gate.needGate');
    case 'error': return r.text || t('error.generic');
    default: return '';
  }
}

function showResult(r) {
  const box = $('#gate-result');
  if (!box) return;
  box.dataset.outcome = r.outcome;
  box.dataset.mode = r.mode || '';
  const big = r.outcome !== 'idle' && r.outcome !== 'checking';
  const headline = {
    accepted: t('gate.accepted'),
    already_used: t('gate.used'),
    revoked: t('gate.revoked'),
    invalid: t('gate.invalid'),
    wrong_event: t('gate.wrongEvent'),
    no_data: t('gate.noData'),
    need_gate: t('gate.needGateTitle'),
    error: r.headline || t('error.generic'),
  }[r.outcome];
  const symbol = r.outcome === 'accepted' ? icon('check', 'h-9 w-9 shrink-0') : ['idle', 'checking', 'need_gate'].includes(r.outcome) ? null : icon('alert', 'h-9 w-9 shrink-0');
  mount(box, h('div', { class: `rounded-2xl px-4 py-4 text-center shadow-sm ${STYLE[r.outcome] || STYLE.error}` },
    r.outcome === 'checking' ? h('p', { class: 'flex items-center justify-center gap-2 text-base font-semibold' }, spinner('h-5 w-5'), detailOf(r)) : null,
    headline ? h('p', { class: 'flex items-center justify-center gap-2 text-[1.7rem] font-black uppercase leading-tight tracking-tight sm:text-4xl', dataset: { testid: 'result-headline' } }, symbol, h('span', null, headline)) : null,
    r.outcome !== 'checking' && detailOf(r) ? h('p', { class: big ? 'mt-1 text-lg font-semibold' : 'text-base', dataset: { testid: 'result-detail' } }, detailOf(r)) : null,
    r.mode === 'offline' && r.outcome === 'accepted'
      ? h('p', { class: 'mx-auto mt-3 inline-flex rounded-full bg-white/20 px-3 py-1 text-sm font-bold', dataset: { testid: 'offline-badge' } }, t('gate.offlineAccepted')) : null,
    r.unlisted ? h('p', { class: 'mt-3 rounded-xl bg-amber-300 p-3 text-sm font-semibold text-slate-950', dataset: { testid: 'unlisted' } }, t('gate.unlisted')) : null,
    halfNotice(r),
    ['accepted', 'already_used', 'revoked'].includes(r.outcome) ? ticketFacts(r) : null));
  if (big && r.outcome !== 'need_gate') {
    try { navigator.vibrate?.(r.outcome === 'accepted' ? 120 : [80, 60, 80, 60, 80]); } catch { /* no vibration */ }
    addRecent(r);
  }
}

function addRecent(r) {
  state.recent.unshift({ at: new Date(), outcome: r.outcome, mode: r.mode, holder: r.ticket?.holderName || '', sector: r.ticket?.sector || '' });
  state.recent.length = Math.min(state.recent.length, RECENT_MAX);
  const ok = (o) => o === 'accepted';
  mount($('#recent'), state.recent.map((x) => h('li', { class: 'flex items-center justify-between gap-3 py-2', dataset: { testid: 'recent-scan', outcome: x.outcome } },
    h('span', { class: 'min-w-0' },
      h('span', { class: `${ok(x.outcome) ? 'badge-green' : 'badge-red'} mr-2` }, t(`gate.short.${x.outcome}`)),
      h('span', { class: 'truncate text-slate-700' }, [x.holder, x.sector].filter(Boolean).join(' · '))),
    h('span', { class: 'shrink-0 tabular-nums text-xs text-slate-600' }, `${timeOnly(x.at)}${x.mode === 'offline' ? ` · ${t('gate.offlineShort')}` : ''}`))));
}

// ---- deciding a scan ---------------------------------------------------------------------------

const fromQr = (ticket, extra = {}) => ({
  sector: ticket.sector, lot: ticket.lot, holderName: ticket.holderName, priceType: ticket.priceType, entitlement: ticket.entitlement, ...extra,
});

/**
 * Handles one payload (camera or manual field): online when possible, else offline. False when
 * another scan was still being handled (the camera then reads this one again).
 */
async function check(text) {
  if (state.busy) return false;
  if (!state.eventId) { showResult({ outcome: 'error', headline: t('gate.pickEvent') }); return true; }
  const gate = gateName();
  if (!gate) {
    showResult({ outcome: 'need_gate' });
    $('#gate-name').focus();
    return true;
  }
  let decoded;
  try {
    decoded = decodeTicket(text).ticket;
  } catch (err) {
    if (!(err instanceof TicketCodeError)) throw err;
    showResult({ outcome: 'invalid', why: err.reason });
    return true;
  }
  if (decoded.eventId !== state.eventId) {
    showResult({ outcome: 'wrong_event', ticket: fromQr(decoded) });
    return true;
  }
  state.busy = true;
  showResult({ outcome: 'checking' });
  try {
    const online = offlineNow() ? null : await checkOnline(text, gate, decoded);
    showResult(online || (await checkOffline(text, gate)));
  } catch (err) {
    console.error(err);
    showResult({ outcome: 'error', headline: errorTitle(err), text: problemText(err) });
  } finally {
    state.busy = false;
  }
  return true;
}

/** POST /gate/checkins; null when the server cannot be reached (then the page decides offline). */
async function checkOnline(text, gate, decoded) {
  const ctrl = new AbortController();
  const timer = setTimeout(() => ctrl.abort(), GATE_CHECKIN_TIMEOUT_MS);
  try {
    const r = await api.gateCheckin(text, gate, { signal: ctrl.signal });
    const id = String(r?.ticket_id || decoded.ticketId).toUpperCase();
    const at = r?.checked_in_at || new Date().toISOString();
    await remember(id, { state: 'used', checked_in_at: at, gate: r?.gate || gate }, true);
    return {
      outcome: 'accepted',
      mode: 'online',
      ticket: {
        sector: r?.sector ?? decoded.sector,
        lot: r?.lot ?? decoded.lot,
        holderName: r?.holder?.name ?? decoded.holderName,
        cpfMasked: r?.holder?.cpf_masked || null,
        priceType: r?.price_type || decoded.priceType,
        entitlement: r?.entitlement ?? decoded.entitlement,
      },
    };
  } catch (err) {
    if (err?.name === 'AbortError' || (err instanceof ApiError && (err.network || err.status >= 500))) {
      state.serverDownUntil = Date.now() + SERVER_DOWN_MS;
      renderNet();
      return null;
    }
    if (!(err instanceof ApiError)) throw err;
    const p = err.problem || {};
    switch (err.code) {
      case 'already_used':
        await remember(decoded.ticketId, { state: 'used', checked_in_at: p.checked_in_at || null, gate: p.gate || null });
        return { outcome: 'already_used', mode: 'online', ticket: fromQr(decoded), checkedInAt: p.checked_in_at, gate: p.gate };
      case 'ticket_revoked':
        await remember(decoded.ticketId, { state: 'revoked', reason: p.reason || null });
        return { outcome: 'revoked', mode: 'online', ticket: fromQr(decoded), reason: p.reason };
      case 'invalid_ticket':
        return { outcome: 'invalid', mode: 'online' };
      case 'wrong_event':
        return { outcome: 'wrong_event', mode: 'online', ticket: fromQr(decoded) };
      default:
        return { outcome: 'error', mode: 'online', headline: errorTitle(err), text: problemText(err) };
    }
  } finally {
    clearTimeout(timer);
  }
}

/** Writes what the server said about a ticket into the local manifest (and, for an entry, as seen here). */
async function remember(ticketId, entry, seenHere = false) {
  try {
    await store.putEntries(state.eventId, [{ id: ticketId, reason: null, checked_in_at: null, gate: null, ...entry }]);
    if (seenHere) await store.markSeen(state.eventId, ticketId, entry.checked_in_at, entry.gate);
  } catch (err) {
    console.warn('gate: could not store the answer', err);
  }
}

function cachedKeys() {
  try { return JSON.parse(store$(KEYS_KEY) || '[]'); } catch { return []; }
}

/** The offline decision, and an accepted scan queued for the server. */
async function checkOffline(text, gate) {
  const meta = await store.getMeta(state.eventId);
  // The manifest's keys, and those of GET /gate/keys (a key added since the manifest was stored).
  const ring = keyRing([...cachedKeys(), ...(meta?.keys || [])]);
  if (!ring.size) return { outcome: 'no_data', mode: 'offline' };
  const verified = await verifyTicket(text, ring, verify);
  const id = verified.ticket?.ticketId;
  const [entry, local] = verified.valid
    ? await Promise.all([store.getEntry(state.eventId, id), store.getSeen(state.eventId, id)])
    : [null, null];
  const d = decideOffline({ verified, eventId: state.eventId, entry, local });
  if (d.outcome === 'accepted') {
    await store.addPending(state.eventId, id, new Date().toISOString(), gate, text.trim());
    await updatePending();
  }
  return {
    outcome: d.outcome,
    mode: 'offline',
    ticket: d.ticket ? fromQr(d.ticket) : null,
    checkedInAt: d.checkedInAt,
    gate: d.gate,
    reason: d.reason,
    unlisted: d.outcome === 'accepted' && d.unlisted,
  };
}

// ---- camera ------------------------------------------------------------------------------------

function cameraMessage(text) {
  const el = $('#cam-msg');
  el.hidden = !text;
  el.textContent = text || '';
}

async function startScanning() {
  const btn = $('#cam-toggle');
  btn.disabled = true;
  cameraMessage('');
  try {
    state.camera = await startCamera($('#cam-video'), (text) => check(text));
    store$(CAMERA_KEY, '1');
    $('#cam-off').hidden = true;
    btn.textContent = t('gate.cameraStop');
    btn.setAttribute('aria-pressed', 'true');
    btn.dataset.decoder = state.camera.kind;
    if ($('#gate-result').dataset.outcome === 'idle') showResult({ outcome: 'idle' });
  } catch (err) {
    console.warn('gate: camera', err);
    state.camera = null;
    store$(CAMERA_KEY, '0');
    cameraMessage(t(`gate.camera.${cameraErrorCode(err)}`));
  } finally {
    btn.disabled = false;
  }
}

function stopCamera() {
  state.camera?.stop();
  state.camera = null;
  store$(CAMERA_KEY, '0');
  $('#cam-off').hidden = false;
  const btn = $('#cam-toggle');
  btn.textContent = t('gate.cameraStart');
  btn.setAttribute('aria-pressed', 'false');
}

// ---- the event, the manifest and the sync ------------------------------------------------------

async function setEvent(id) {
  state.eventId = id ? String(id).toLowerCase() : null;
  state.manifest = { state: 'none', count: 0, at: null };
  if (session.isAdmin) {
    const url = new URL(location.href);
    if (state.eventId) url.searchParams.set('event', state.eventId); else url.searchParams.delete('event');
    history.replaceState(null, '', url);
    if (state.eventId) store$(EVENT_KEY, state.eventId);
    const select = $('#gate-event-select');
    if (select && select.value !== (state.eventId || '')) select.value = state.eventId || '';
  }
  const listed = state.events.find((e) => e.id === state.eventId);
  state.eventName = listed?.name || '';
  if (state.eventId) {
    try {
      const meta = await store.getMeta(state.eventId);
      if (meta) {
        state.eventName = meta.event_name || state.eventName;
        state.manifest = { state: 'ready', count: await store.countEntries(state.eventId), at: meta.synced_at };
      }
    } catch (err) {
      console.warn('gate: IndexedDB', err);
    }
  }
  renderEventName();
  renderManifest();
  await tick();
}

function renderEventName() {
  const el = $('#gate-event');
  if (el) el.textContent = state.eventId ? (state.eventName || state.eventId) : t('gate.noEvent');
}

let ticking = null;
/** Sends waiting scans, then refreshes the manifest (while online). */
function tick() {
  ticking ??= (async () => {
    renderNet();
    if (!navigator.onLine) return;
    await sendPending();
    if (!state.eventId) return;
    if (state.manifest.state !== 'ready') { state.manifest = { ...state.manifest, state: 'loading' }; renderManifest(); }
    try {
      const r = await refreshManifest(state.eventId);
      state.serverDownUntil = 0;
      state.eventName = r.meta?.event_name || state.eventName;
      state.manifest = { state: 'ready', count: r.count, at: r.meta?.synced_at };
      renderEventName();
    } catch (err) {
      if (err instanceof ApiError && err.network) state.serverDownUntil = Date.now() + SERVER_DOWN_MS;
      const known = state.manifest.count > 0;
      state.manifest = { ...state.manifest, state: known && err?.network ? 'ready' : 'error', why: errorTitle(err) };
    }
    renderManifest();
    renderNet();
  })().finally(() => { ticking = null; });
  return ticking;
}

let lastSyncError = null;
async function sendPending() {
  let before = 0;
  try { before = await store.pendingCount(); } catch { return; }
  if (!before) { state.pending = 0; renderPending(); return; }
  const r = await syncPending();
  if (r.failed?.network) state.serverDownUntil = Date.now() + SERVER_DOWN_MS;
  await updatePending();
  if (r.sent) toast(r.conflicts ? 'warning' : 'success', r.conflicts ? t('gate.syncedConflicts', { n: r.sent, c: r.conflicts }) : t('gate.synced', { n: r.sent }));
  // A refusal (not the network) is said once, not on every refresh; the scans stay queued.
  const why = r.failed && !r.failed.network ? `${r.failed.status}:${r.failed.code}` : null;
  if (why && why !== lastSyncError) toast('error', `${t('gate.syncFailed')}: ${problemText(r.failed) || errorTitle(r.failed)}`);
  lastSyncError = why;
}

async function loadAdminEvents() {
  try {
    state.events = (await api.adminEvents()).filter((e) => !['deleting', 'cancelled', 'cancelling'].includes(e.status));
  } catch {
    try { state.events = await api.events(); } catch { state.events = []; }
  }
  const select = $('#gate-event-select');
  mount(select, h('option', { value: '' }, t('gate.pickEvent')),
    state.events.map((e) => h('option', { value: e.id }, e.name)));
}

/** Gate staff: their event from GET /me (remembered for a page load without the network). */
async function staffEvent() {
  const key = `${EVENT_KEY}.${session.user?.id || ''}`;
  try {
    const me = await api.me();
    if (me?.gate_event_id) store$(key, me.gate_event_id);
    return me?.gate_event_id || store$(key);
  } catch {
    return store$(key);
  }
}

async function cacheKeys() {
  try {
    const r = await api.gateKeys();
    if (Array.isArray(r?.keys) && r.keys.length) store$(KEYS_KEY, JSON.stringify(r.keys));
  } catch { /* the manifest carries them too */ }
}

// ---- boot --------------------------------------------------------------------------------------

await initPage();
if (requireLogin()) {
  if (!session.isAdmin && !session.isGate) {
    mount(root, h('div', { class: 'card p-8 text-center' },
      h('p', { class: 'text-lg font-semibold text-slate-800', dataset: { testid: 'forbidden' } }, t('gate.forbidden')),
      h('a', { class: 'btn-primary mt-4', href: 'index.html' }, t('nav.events'))));
  } else {
    layout();
    cacheKeys();
    // What scanning and checking offline need, fetched now (the network may be gone later).
    prepareDecoder().catch((err) => console.warn('gate: QR decoder', err));
    verify.prepare().catch((err) => console.warn('gate: Ed25519', err));
    if (session.isAdmin) {
      await loadAdminEvents();
      await setEvent(param('event') || store$(EVENT_KEY) || null);
    } else {
      await setEvent(await staffEvent());
    }
    await updatePending();
    every(GATE_MANIFEST_REFRESH_MS, tick);
    if (store$(CAMERA_KEY) === '1' && gateName()) startScanning();
  }
}
