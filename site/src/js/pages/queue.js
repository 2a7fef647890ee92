// queue.html?event= — the waiting room of an event in queue mode (docs/waiting-room.md).
//
// The buyer joins (POST /events/{id}/queue: one place per person, the same place however often
// it is asked), and the place token is kept per event (waiting-room.js) so a reload or a second
// tab shows the same place. The page then reads the public status every ~2 s (cache 'no-cache':
// the browser revalidates its copy with If-None-Match) and shows the place, the people ahead
// (place − serving), the estimated wait, a progress bar and what to do now. Before the opening
// the place is not drawn yet: the page says when the draw is and asks again once it has opened.
// When the place is reached it asks for the admission (POST …/queue/admission), keeps it and
// goes straight to the event page, whose reservation sends it along.
//
// The stock is told as it is: "Esgotado" as soon as the status says so (or the admission answers
// 410), with what may still happen (unpaid holds coming back on sale) — and the page keeps
// reading the status, slowly, so it moves on by itself if tickets come back.
import { api, session, flash, ApiError } from '../api.js';
import { t, number, timeOnly } from '../i18n.js';
import { initPage, $, h, mount, param, showError, requireLogin, problemText } from '../ui.js';
import { icon, spinner, liveDot } from '../dom.js';
import { askCpf } from '../prompts.js';
import { eventDateTime } from '../event-time.js';
import { onReconnect } from '../connection.js';
import {
  storedPlace, keepPlace, dropPlace, storedAdmission, keepAdmission, placeKey, admissionKey,
  waitFigures, etaText, stockState,
} from '../waiting-room.js';

const id = param('event');
const root = $('#queue-root');
/** How often the status is read while waiting (it is cached for a second at the edge). */
const POLL_MS = 2000;
/** …and once the event is sold out (tickets may still come back). */
const SOLD_OUT_POLL_MS = 5000;
/** A join that failed (not for the CPF) is tried again after this long. */
const JOIN_RETRY_MS = 10_000;
/**
 * Everyone who joined before the opening asks for their drawn place after it: each page
 * waits its own random moment within this spread, so the crowd does not ask in the same
 * two seconds (docs/waiting-room.md).
 */
const REJOIN_SPREAD_MS = 20_000;
const rejoinDelay = Math.random() * REJOIN_SPREAD_MS;

const eventUrl = () => `event.html?id=${encodeURIComponent(id)}`;
const userId = () => session.user?.id || null;

let ev = null;
/** The place as last answered ({ token, place, arrival, drawn, opens_at }), or null before joining. */
let place = null;
/** The queue's status as last read, or null. */
let status = null;
let statusAt = null;
let statusFailing = false;
let joining = null;
let joinError = null;
let lastJoinAt = 0;
let admitting = false;
/** The admission answered 410 sold_out: shown as sold out until the status says tickets are back. */
let refusedSoldOut = false;
let polling = false;
let pollTimer = null;
let leaving = false;
const rendered = { stock: null, card: null, sectors: null };

// ---- leaving the page ------------------------------------------------------------------------

function stopPolling() {
  leaving = true;
  clearTimeout(pollTimer);
}

/** The turn has come: the event page (the sector picker), at once. */
function goToEvent() {
  stopPolling();
  location.replace(eventUrl());
}

/** The event has no queue (any more): its page, with a word about why. */
function leaveQueue() {
  stopPolling();
  flash.set('info', 'queue.offFlash');
  location.replace(eventUrl());
}

// ---- the server --------------------------------------------------------------------------------

/** Joins (or asks for the place one has); asks for the CPF once when the account has none. */
function join({ quiet = false } = {}) {
  if (joining) return joining;
  joining = (async () => {
    let cpfAsked = false;
    for (;;) {
      lastJoinAt = Date.now();
      try {
        const joined = await api.joinQueue(id);
        keepPlace(id, userId(), joined);
        place = storedPlace(id, userId()) || joined;
        joinError = null;
        return true;
      } catch (err) {
        if (leaving) return false;
        if (err instanceof ApiError && err.code === 'cpf_required' && !cpfAsked) {
          cpfAsked = true;
          if (await askCpf({ confirmText: t('queue.cpfSubmit') })) continue;
        }
        if (err instanceof ApiError && err.code === 'queue_off') { leaveQueue(); return false; }
        joinError = err;
        if (!quiet && err.code !== 'cpf_required') showError(err, { background: true, titleText: t('queue.joinFailed') });
        return false;
      }
    }
  })().finally(() => { joining = null; render(); });
  return joining;
}

/** The place has been reached: the admission, kept for the event page, and off to it. */
async function admit() {
  if (admitting || !place?.token) return;
  admitting = true;
  render();
  try {
    const admitted = await api.queueAdmission(id, place.token);
    keepAdmission(id, userId(), admitted);
    goToEvent();
  } catch (err) {
    admitting = false;
    if (!(err instanceof ApiError)) { console.error(err); return; }
    if (err.code === 'not_your_turn') {
      // The status ran ahead of the room: keep waiting (the answer says where the room is).
      if (Number.isInteger(err.problem?.serving) && status) status = { ...status, serving: err.problem.serving };
    } else if (err.code === 'sold_out' || err.status === 410) {
      refusedSoldOut = true;
    } else if (err.code === 'invalid_place_token') {
      // Another account's or another event's place (or a stale one): join again.
      dropPlace(id);
      place = null;
      await join({ quiet: true });
    } else if (err.code === 'queue_off') {
      leaveQueue();
    } else {
      showError(err, { background: true });
    }
  }
}

/** What the status asks of the page: leave, join, learn the drawn place, or take the turn. */
async function act() {
  if (status?.mode === 'off') { leaveQueue(); return; }
  if (!place) {
    // A refused CPF waits for the buyer's click; any other failure is tried again later.
    if (!joinError || (joinError.code !== 'cpf_required' && Date.now() - lastJoinAt >= JOIN_RETRY_MS)) await join({ quiet: true });
    return;
  }
  if (!place.drawn || !Number.isInteger(place.place)) {
    // Joined before the opening: the next join after it answers the drawn place.
    const opensAt = Date.parse(status?.opens_at || place.opens_at || '');
    const opened = status?.opened === true || (status?.opened == null && Number.isFinite(opensAt) && opensAt <= Date.now());
    const due = !Number.isFinite(opensAt) || Date.now() >= opensAt + rejoinDelay;
    if (opened && due && Date.now() - lastJoinAt >= POLL_MS) await join({ quiet: true });
    return;
  }
  if (shownStock() === 'sold_out') return;
  if (waitFigures(place.place, status).turn) await admit();
}

/** Reads the status, acts on it, draws the page and plans the next read. */
async function poll() {
  if (polling || leaving) return;
  polling = true;
  clearTimeout(pollTimer);
  try {
    try {
      status = (await api.queueStatus(id)) || {};
      statusAt = new Date();
      statusFailing = false;
      if (refusedSoldOut && stockState(status) === 'open') refusedSoldOut = false;
    } catch (err) {
      // Quietly: the connection banner tells about outages; the page keeps what it knew.
      if (!statusFailing && !(err instanceof ApiError && err.network)) console.error(err);
      statusFailing = true;
    }
    if (status) await act();
  } finally {
    polling = false;
  }
  if (leaving) return;
  render();
  pollTimer = setTimeout(poll, shownStock() === 'sold_out' ? SOLD_OUT_POLL_MS : POLL_MS);
}

// ---- drawing -----------------------------------------------------------------------------------

/** The stock as the page tells it: the status's, or sold out after a 410 from the admission. */
function shownStock() {
  return refusedSoldOut ? 'sold_out' : stockState(status);
}

/** An instant in the event's own time zone. */
const atVenue = (iso) => eventDateTime(iso, ev?.time_zone);

function pageState() {
  if (admitting) return 'turn';
  const stock = shownStock();
  if (stock !== 'open') return stock;
  if (!place) return joinError ? 'error' : 'joining';
  if (!place.drawn || !Number.isInteger(place.place)) return 'draw';
  return 'waiting';
}

function notice(kind, testid, title, ...paragraphs) {
  const tone = {
    rose: ['border-rose-200 bg-rose-50', 'text-rose-900'],
    amber: ['border-amber-200 bg-amber-50', 'text-amber-900'],
    green: ['border-emerald-200 bg-emerald-50', 'text-emerald-900'],
  }[kind];
  return h('section', { class: `card ${tone[0]} p-5 sm:p-6`, dataset: { testid } },
    h('h2', { class: `flex items-center gap-2 text-xl font-bold ${tone[1]}` }, title),
    paragraphs.filter(Boolean).map((p) => h('p', { class: `mt-2 ${tone[1]}` }, p)));
}

function renderStock(state) {
  const holds = status?.holds_pending === true;
  const key = JSON.stringify([state, holds]);
  if (rendered.stock === key) return;
  rendered.stock = key;
  const box = $('#queue-stock');
  if (state === 'turn') {
    mount(box, notice('green', 'queue-turn', [icon('check', 'h-5 w-5 shrink-0'), t('queue.turnTitle')],
      h('span', { class: 'inline-flex items-center gap-2' }, spinner(), t('queue.turnText'))));
  } else if (state === 'sold_out') {
    // "Esgotado" at once; with unpaid holds out, what may still happen (and that the page watches).
    const el = notice('rose', 'queue-soldout', [icon('alert', 'h-5 w-5 shrink-0'), t('queue.soldOutTitle')],
      holds ? t('queue.heldText') : t('queue.soldOutText'), holds ? t('queue.holdsNote') : null, t('queue.stillWatching'));
    el.dataset.holds = String(holds);
    mount(box, el);
  } else if (state === 'claimed') {
    mount(box, notice('amber', 'queue-claimed', [icon('alert', 'h-5 w-5 shrink-0'), t('queue.claimedTitle')], t('queue.claimedText')));
  } else {
    mount(box);
  }
}

function placeCard() {
  return [
    h('p', { class: 'text-sm font-semibold text-slate-700' }, t('queue.yourPlace')),
    h('p', { class: 'mt-1 text-5xl font-extrabold tabular-nums tracking-tight text-slate-900', dataset: { testid: 'queue-place' } }, number(place.place)),
    h('dl', { class: 'mt-5 grid gap-4 sm:grid-cols-2' },
      h('div', { class: 'rounded-xl bg-slate-50 p-4' },
        h('dt', { class: 'text-sm text-slate-700' }, t('queue.ahead')),
        h('dd', { id: 'queue-ahead', class: 'mt-1 text-2xl font-bold tabular-nums text-slate-900', dataset: { testid: 'queue-ahead' } })),
      h('div', { class: 'rounded-xl bg-slate-50 p-4' },
        h('dt', { class: 'text-sm text-slate-700' }, t('queue.eta')),
        h('dd', { id: 'queue-eta', class: 'mt-1 text-xl font-bold text-slate-900 sm:text-2xl', dataset: { testid: 'queue-eta' } }))),
    h('p', { id: 'queue-progress-label', class: 'mt-5 text-sm font-semibold text-slate-700' }, t('queue.progress')),
    h('div', {
      id: 'queue-progress', role: 'progressbar', 'aria-labelledby': 'queue-progress-label', 'aria-valuemin': '0', 'aria-valuemax': '100', 'aria-valuenow': '0',
      class: 'mt-2 h-3 w-full overflow-hidden rounded-full bg-slate-200', dataset: { testid: 'queue-progress' },
    }, h('div', { id: 'queue-bar', class: 'h-full rounded-full bg-brand-600 transition-all duration-700', style: { width: '0%' } })),
    h('p', { id: 'queue-serving', class: 'mt-3 text-sm text-slate-700', dataset: { testid: 'queue-serving' } }),
  ];
}

function updatePlaceFigures() {
  const f = waitFigures(place.place, status);
  const stock = shownStock();
  $('#queue-ahead').textContent = f.ahead == null ? '—' : number(f.ahead);
  // Nothing to buy now: how long is not a matter of the rate (and, with no hold out, not a matter at all).
  const eta = stock === 'open' ? etaText(f.minutes) : etaText(null);
  const holdsOut = status?.holds_pending === true || stock === 'claimed';
  $('#queue-eta').textContent = !status || (stock !== 'open' && !holdsOut) ? t('common.none') : t(eta.key, eta.vars);
  const bar = $('#queue-progress');
  bar.setAttribute('aria-valuenow', String(f.percent));
  bar.setAttribute('aria-valuetext', f.ahead == null ? '—' : t('queue.progressText', { ahead: number(f.ahead) }));
  $('#queue-bar').style.width = `${f.percent}%`;
  const length = Number(status?.length);
  $('#queue-serving').textContent = status && Number.isFinite(length) && length > 0
    ? t('queue.serving', { serving: number(Math.min(f.serving, length)), length: number(length) }) : '';
}

function renderCard(state) {
  const box = $('#queue-card');
  const opensAt = status?.opens_at || place?.opens_at || null;
  const opened = status?.opened === true;
  const key = JSON.stringify([place?.place ?? null, Boolean(place?.drawn), state === 'error' ? joinError?.code || joinError?.status : '', opensAt, opened, Boolean(place)]);
  if (rendered.card !== key) {
    rendered.card = key;
    if (!place && joinError) {
      const cpf = joinError.code === 'cpf_required';
      mount(box, h('div', { role: 'alert', dataset: { testid: 'queue-join-error' } },
        h('p', { class: 'font-semibold text-slate-900' }, cpf ? t('queue.cpfNeeded') : problemText(joinError) || t('queue.joinFailed')),
        h('button', {
          type: 'button', class: 'btn-primary mt-4', dataset: { testid: 'queue-retry' },
          onclick: () => { joinError = null; render(); join().then(() => poll()); },
        }, cpf ? t('queue.cpfGive') : t('common.retry'))));
    } else if (!place) {
      mount(box, h('p', { class: 'flex items-center gap-2 font-medium text-brand-700', role: 'status' }, spinner(), t('queue.joining')));
    } else if (!place.drawn || !Number.isInteger(place.place)) {
      mount(box,
        h('h2', { class: 'text-xl font-bold text-slate-900', dataset: { testid: 'queue-draw' } }, t('queue.drawTitle')),
        h('p', { class: 'mt-2 text-slate-700' }, t('queue.drawText', { when: opensAt ? atVenue(opensAt) : t('common.none') })),
        opened ? h('p', { class: 'mt-3 flex items-center gap-2 text-sm font-medium text-brand-700', role: 'status' }, spinner(), t('queue.drawing')) : null);
    } else {
      mount(box, placeCard());
    }
  }
  if (place?.drawn && Number.isInteger(place.place)) updatePlaceFigures();
}

function renderSectors() {
  const list = Array.isArray(status?.sectors) ? status.sectors : null;
  const key = JSON.stringify(list);
  if (rendered.sectors === key) return;
  rendered.sectors = key;
  const box = $('#queue-sectors');
  if (!list) { mount(box, h('li', { class: 'py-2 text-sm text-slate-600' }, t('common.loading'))); return; }
  mount(box, list.map((s) => {
    const yes = s.available === true;
    return h('li', { class: 'flex items-center justify-between gap-3 py-2', dataset: { testid: 'queue-sector', sector: s.name ?? s.id, available: String(yes) } },
      h('span', { class: 'min-w-0 break-words font-medium text-slate-900' }, s.name ?? s.id),
      h('span', { class: yes ? 'badge-green shrink-0' : 'badge-red shrink-0' }, yes ? t('queue.sectorAvailable') : t('avail.soldout')));
  }));
}

function renderLive() {
  const el = $('#queue-live');
  if (!statusAt) { mount(el); return; }
  mount(el, liveDot(statusFailing ? 'offline' : 'live'), h('span', null, t('events.updated', { time: timeOnly(statusAt) })));
}

function render() {
  if (leaving || !$('#queue-card')) return;
  const state = pageState();
  root.dataset.state = state;
  renderStock(state);
  renderCard(state);
  renderSectors();
  renderLive();
}

function renderShell() {
  document.title = `${t('queue.title')} · ${ev.name} · ${t('app.name')}`;
  mount(root,
    h('a', { href: eventUrl(), class: 'inline-flex rounded text-sm font-medium text-brand-700 hover:underline' }, t('queue.back')),
    h('section', { class: 'card mt-4 p-5 sm:p-6' },
      h('p', { class: 'text-sm font-semibold uppercase tracking-wide text-brand-700' }, t('queue.title')),
      h('h1', { class: 'mt-1 break-words text-2xl font-extrabold tracking-tight text-slate-900 sm:text-3xl', dataset: { testid: 'queue-event-name' } }, ev.name),
      h('p', { class: 'mt-2 text-slate-700' },
        h('time', { datetime: ev.starts_at }, eventDateTime(ev.starts_at, ev.time_zone)), ev.venue ? ` · ${ev.venue}` : '')),
    h('div', { class: 'mt-6 grid gap-6 lg:grid-cols-3' },
      h('div', { class: 'min-w-0 space-y-6 lg:col-span-2' },
        // Rare changes (sold out, the turn) are announced; the figures, changing every poll, are not.
        h('div', { id: 'queue-stock', 'aria-live': 'polite' }),
        h('section', { id: 'queue-card', class: 'card p-5 sm:p-6', dataset: { testid: 'queue-card' } }),
        h('section', { class: 'card p-5 sm:p-6', dataset: { testid: 'queue-what-now' } },
          h('h2', { class: 'text-lg font-bold text-slate-900' }, t('queue.whatNow')),
          h('p', { class: 'mt-2 text-slate-700' }, t('queue.keepOpen')),
          h('p', { class: 'mt-2 text-sm text-slate-600' }, t('queue.samePlace')))),
      h('aside', { class: 'min-w-0 space-y-4' },
        h('section', { class: 'card p-5 sm:p-6' },
          h('h2', { class: 'text-lg font-bold text-slate-900' }, t('events.sectors')),
          h('p', { class: 'mt-1 text-sm text-slate-600' }, t('queue.sectorsHint')),
          h('ul', { id: 'queue-sectors', class: 'mt-3 divide-y divide-slate-100', dataset: { testid: 'queue-sectors' } })),
        h('p', { id: 'queue-live', class: 'flex items-center gap-2 px-1 text-xs text-slate-600', 'aria-live': 'off' }))));
  render();
}

function renderMissing(err) {
  const text = err instanceof ApiError && err.status === 404 ? t('event.notFound') : problemText(err) || t('error.generic');
  mount(root,
    h('a', { href: 'index.html', class: 'inline-flex rounded text-sm font-medium text-brand-700 hover:underline' }, t('event.back')),
    h('div', { class: 'card mt-4 p-10 text-center', dataset: { testid: 'queue-missing' } },
      h('p', { class: 'text-slate-700' }, text),
      err instanceof ApiError && err.status !== 404
        ? h('button', { type: 'button', class: 'btn-primary mt-4', onclick: () => start() }, t('common.retry')) : null));
}

// ---- start -------------------------------------------------------------------------------------

/** Another tab of this browser joined or was let in: follow it. */
function onStorage(e) {
  if (leaving) return;
  if (e.key === admissionKey(id) && storedAdmission(id, userId())) goToEvent();
  else if (e.key === placeKey(id)) {
    const kept = storedPlace(id, userId());
    if (kept) { place = kept; render(); }
  }
}

async function start() {
  try {
    ev = await api.event(id);
  } catch (err) {
    renderMissing(err);
    return;
  }
  // A cancelled event says so on its own page; an admission still valid goes straight there.
  if (ev.status === 'cancelled' || ev.status === 'cancelling' || storedAdmission(id, userId())) { goToEvent(); return; }
  place = storedPlace(id, userId());
  renderShell();
  // A place already drawn is known (a reload, another tab): no need to ask for it again.
  if (!place?.drawn) await join();
  window.addEventListener('storage', onStorage);
  onReconnect(() => poll());
  document.addEventListener('visibilitychange', () => { if (!document.hidden) poll(); });
  poll();
}

await initPage();
if (requireLogin()) {
  if (!id) mount(root, h('p', { class: 'card p-10 text-center text-slate-600', dataset: { testid: 'queue-missing' } }, t('event.notFound')));
  else await start();
}
