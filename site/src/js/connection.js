// Whether the API can be reached, told honestly: a request that fails on the network (or a
// 502/503/504 from the gateway in front of the API) marks the site offline; a banner says so
// and pings a cheap GET with exponential backoff (1 s, 2 s, 4 s … 30 s) until the API answers;
// then the banner says "Conexão restabelecida" for a moment and every page that subscribed
// reloads its data. Any successful API answer in between also ends the outage.
//
// api.js reports every answer here (reportFailure / reportSuccess); pages read `isOnline()`,
// subscribe with `onConnectionChange(fn)` (live dots, the hold countdown) and `onReconnect(fn)`
// (reload), and use `isOutage(err)` to leave outage errors to the banner instead of a dialog.
// This module never imports api.js (api.js imports it), so its ping is a plain fetch.
import { API_BASE } from './config.js';
import { t } from './i18n.js';
import { h, mount, icon } from './dom.js';

/** The statuses that mean "the API is not there", not "the API said no". */
const OUTAGE_STATUSES = new Set([502, 503, 504]);
const FIRST_RETRY_MS = 1000;
const MAX_RETRY_MS = 30_000;
const PING_TIMEOUT_MS = 8000;
/** How long "Conexão restabelecida" stays up. */
const RESTORED_MS = 4000;
const PING_PATH = '/events?limit=1';

let online = true;
let retryMs = FIRST_RETRY_MS;
let retryTimer = null;
let countdownTimer = null;
let nextTryAt = 0;
let restoredTimer = null;
let pinging = false;
const changeListeners = new Set();
const reconnectListeners = new Set();

/** True when `err` (an ApiError) is the API being unreachable rather than a refusal. */
export function isOutage(err) {
  return Boolean(err && (err.network || OUTAGE_STATUSES.has(err.status)));
}

export const isOnline = () => online;

/** `fn(online)` on every change; returns the unsubscribe function. */
export function onConnectionChange(fn) {
  changeListeners.add(fn);
  return () => changeListeners.delete(fn);
}

/** `fn()` when the API answers again after an outage (reload what the page shows). */
export function onReconnect(fn) {
  reconnectListeners.add(fn);
  return () => reconnectListeners.delete(fn);
}

function notify(list, ...args) {
  for (const fn of list) {
    try { fn(...args); } catch (err) { console.error(err); }
  }
}

/** Called by api.js for an answer (or a failure) of a request to the API. */
export function reportAnswer(status) {
  if (OUTAGE_STATUSES.has(status)) reportFailure();
  else reportSuccess();
}

export function reportFailure() {
  if (!online) return;
  online = false;
  retryMs = FIRST_RETRY_MS;
  clearTimeout(restoredTimer);
  renderBanner();
  notify(changeListeners, false);
  scheduleRetry();
}

export function reportSuccess() {
  if (online) return;
  online = true;
  clearTimeout(retryTimer);
  clearInterval(countdownTimer);
  retryTimer = null;
  renderBanner();
  notify(changeListeners, true);
  notify(reconnectListeners);
}

function scheduleRetry() {
  clearTimeout(retryTimer);
  nextTryAt = Date.now() + retryMs;
  retryTimer = setTimeout(ping, retryMs);
  retryMs = Math.min(MAX_RETRY_MS, retryMs * 2);
  clearInterval(countdownTimer);
  countdownTimer = setInterval(updateCountdown, 1000);
  updateCountdown();
}

/** One cheap GET; success ends the outage, failure waits longer before the next one. */
async function ping() {
  if (online || pinging) return;
  pinging = true;
  const ctrl = new AbortController();
  const timer = setTimeout(() => ctrl.abort(), PING_TIMEOUT_MS);
  let reachable = false;
  try {
    const res = await fetch(`${API_BASE}${PING_PATH}`, { headers: { accept: 'application/json' }, cache: 'no-store', signal: ctrl.signal });
    reachable = !OUTAGE_STATUSES.has(res.status) && res.status < 500;
  } catch {
    reachable = false;
  } finally {
    clearTimeout(timer);
    pinging = false;
  }
  if (online) return;
  if (reachable) reportSuccess();
  else scheduleRetry();
}

/** "Tentar agora": ping at once and start the backoff over. */
function retryNow() {
  retryMs = FIRST_RETRY_MS;
  clearTimeout(retryTimer);
  ping();
}

// ---- the banner ---------------------------------------------------------------------------

function bannerRoot() {
  let el = document.getElementById('connection-banner');
  if (!el) {
    // A live region that exists before it has anything to say, so screen readers announce it.
    // Sticky under the header: it pushes the page down instead of covering it.
    el = h('div', { id: 'connection-banner', role: 'status', 'aria-live': 'polite', class: 'no-print sticky top-16 z-20', dataset: { testid: 'connection-banner' } });
    const header = document.getElementById('site-header');
    if (header) header.after(el); else document.body.prepend(el);
  }
  return el;
}

function updateCountdown() {
  const el = document.getElementById('connection-next');
  if (!el) return;
  const s = Math.max(0, Math.ceil((nextTryAt - Date.now()) / 1000));
  el.textContent = pinging || s === 0 ? t('conn.trying') : t('conn.nextTry', { s });
}

function renderBanner() {
  // The gate works offline by design and shows its own network state (data-connection-banner="off").
  if (typeof document === 'undefined' || document.body?.dataset.connectionBanner === 'off') return;
  const root = bannerRoot();
  if (!online) {
    root.dataset.state = 'offline';
    mount(root, h('div', { class: 'border-b border-rose-300 bg-rose-50 text-rose-900 shadow' },
      h('div', { class: 'container-page flex flex-wrap items-center justify-between gap-2 py-2 text-sm' },
        h('p', { class: 'flex min-w-0 items-center gap-2 font-semibold' }, icon('alert', 'h-4 w-4 shrink-0'), t('conn.offline')),
        h('p', { class: 'flex items-center gap-3' },
          h('span', { id: 'connection-next', class: 'text-rose-900' }),
          h('button', { type: 'button', class: 'btn-secondary btn-sm', dataset: { testid: 'connection-retry' }, onclick: retryNow }, t('conn.retryNow'))))));
    return;
  }
  root.dataset.state = 'restored';
  mount(root, h('div', { class: 'border-b border-emerald-300 bg-emerald-50 text-emerald-900 shadow' },
    h('p', { class: 'container-page flex items-center gap-2 py-2 text-sm font-semibold' }, icon('check', 'h-4 w-4'), t('conn.restored'))));
  clearTimeout(restoredTimer);
  restoredTimer = setTimeout(() => { root.dataset.state = 'online'; mount(root); }, RESTORED_MS);
}

// The browser's own idea of the network: going offline is believed at once; coming back is
// checked with a ping (being on a network is not the API answering).
if (typeof window !== 'undefined') {
  window.addEventListener('offline', reportFailure);
  window.addEventListener('online', () => { if (!online) retryNow(); });
}
