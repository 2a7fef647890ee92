// The API client: JSON in and out, the bearer token, RFC 9457 problem documents as ApiError
// (with their stable `code`), paginated lists (Link: rel="next"), event versions (ETag /
// If-Match) and the session.
//
// The session lives in this module's memory only — never in localStorage or sessionStorage.
// The access token is short-lived (`expires_in`); the refresh token is an HttpOnly cookie
// (`bilheteria_refresh`, Path=/api/v1/auth) that JavaScript never sees. On every page load the
// session is restored with POST /auth/refresh (`session.ready`), refreshed ~60 s before the
// access token expires, and refreshed once when an authenticated request answers 401 (then the
// request is retried). Every refresh runs under the Web Lock 'bilheteria-refresh' so two tabs
// never spend the same refresh token (it is rotated on every use; presenting a spent one ends
// the whole session).
import { API_BASE } from './config.js';
import { reportAnswer, reportFailure } from './connection.js';

const FLASH_KEY = 'bilheteria.flash';
const LOCK_NAME = 'bilheteria-refresh';
/** Refresh this long before the access token expires. */
const REFRESH_AHEAD_MS = 60_000;
/** A refresh that has not answered after this long is given up (and retried later). */
const REFRESH_TIMEOUT_MS = 15_000;

// Earlier versions of the site kept the token and user in localStorage: remove them.
try {
  for (const k of ['bilheteria.token', 'bilheteria.user', 'bilheteria.expires']) localStorage.removeItem(k);
} catch { /* storage unavailable */ }

export class ApiError extends Error {
  constructor({
    status = 0, title = '', detail = '', code = null, network = false, path = '', method = 'GET',
    currentVersion = null, retryAfter = null, suggestions = [], problem = null,
  } = {}) {
    super(detail || title || `HTTP ${status}`);
    this.status = status;
    this.title = title;
    this.detail = detail;
    /** The problem's stable snake_case `code` (e.g. 'weak_password'), or null. */
    this.code = code;
    this.network = network;
    this.path = path;
    this.method = method;
    /** On a 409 for a stale event version: the event's version now (else null). */
    this.currentVersion = currentVersion;
    /** On a 429: seconds until trying again makes sense (`retry_after` / Retry-After), or null. */
    this.retryAfter = retryAfter;
    /** On a 422 weak_password: the server's (English) hints. */
    this.suggestions = suggestions;
    /**
     * The whole problem document (parsed JSON, or null), for the fields some codes add: e.g. a
     * 409 already_used at the gate names `checked_in_at` and `gate`, a 410 ticket_revoked `reason`.
     */
    this.problem = problem;
  }
  /** True when a write was refused because the event changed since it was read (409 + current_version). */
  get staleVersion() {
    return this.status === 409 && this.currentVersion != null;
  }
  /** True when the route is not built yet on this server (405, or a 404 with no route). */
  get notBuilt() {
    return this.status === 405 || (this.status === 404 && /no route/i.test(this.detail || ''));
  }
}

// ---- session (memory only) ------------------------------------------------------------------

let current = { token: null, user: null, expiresAt: 0 };
let refreshTimer = null;
let inFlight = null;
const listeners = new Set();

function changed() {
  for (const fn of listeners) {
    try { fn(session.user); } catch (err) { console.error(err); }
  }
}

function schedule() {
  clearTimeout(refreshTimer);
  refreshTimer = null;
  if (!current.token || !current.expiresAt) return;
  const wait = Math.max(5_000, current.expiresAt - Date.now() - REFRESH_AHEAD_MS);
  refreshTimer = setTimeout(() => { refreshSession({ scheduled: true }); }, wait);
}

/** POST /auth/refresh (the cookie goes along); a Session, or an ApiError. */
async function callRefresh() {
  const ctrl = new AbortController();
  const timer = setTimeout(() => ctrl.abort(), REFRESH_TIMEOUT_MS);
  try {
    return await request('POST', '/auth/refresh', { auth: false, signal: ctrl.signal });
  } catch (err) {
    if (err?.name === 'AbortError') throw new ApiError({ network: true, title: 'network', detail: 'refresh timed out', path: '/auth/refresh', method: 'POST' });
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

/** Runs `fn` holding the cross-tab refresh lock (or directly where Web Locks do not exist). */
function withRefreshLock(fn) {
  if (typeof navigator !== 'undefined' && navigator.locks?.request) {
    return navigator.locks.request(LOCK_NAME, { mode: 'exclusive' }, fn);
  }
  return fn();
}

/**
 * Spends the refresh cookie for a new access token (one at a time in this tab, one at a time
 * across tabs). Resolves true when there is a session afterwards, false when it ended (401) or
 * could not be restored. A network failure keeps the current token and tries again later.
 */
function refreshSession({ scheduled = false } = {}) {
  if (inFlight) return inFlight;
  inFlight = (async () => {
    const had = Boolean(current.token);
    try {
      const s = await withRefreshLock(() => callRefresh());
      adopt(s);
      return true;
    } catch (err) {
      if (err instanceof ApiError && err.network) {
        // Offline or timed out: keep what we have; try again in a while if it is still valid.
        if (current.token) {
          clearTimeout(refreshTimer);
          refreshTimer = setTimeout(() => { refreshSession({ scheduled: true }); }, 30_000);
        }
        return Boolean(current.token) && Date.now() < current.expiresAt;
      }
      // 401 session_ended (or anything else): there is no session any more.
      const wasLoggedIn = had;
      clear();
      if (wasLoggedIn && scheduled) onUnauthorized(err);
      return false;
    }
  })().finally(() => { inFlight = null; });
  return inFlight;
}

/** Takes a Session answer ({access_token, expires_in, user}) as the current session. */
function adopt(s) {
  if (!s?.access_token) throw new Error('not a session');
  current = {
    token: s.access_token,
    user: s.user || current.user,
    expiresAt: Date.now() + Math.max(30, Number(s.expires_in) || 900) * 1000,
  };
  schedule();
  changed();
  return current.user;
}

function clear() {
  const had = Boolean(current.token);
  current = { token: null, user: null, expiresAt: 0 };
  clearTimeout(refreshTimer);
  refreshTimer = null;
  if (had) changed();
}

// A tab that logs out tells the others (they drop their in-memory token too).
const channel = typeof BroadcastChannel === 'function' ? new BroadcastChannel('bilheteria-session') : null;
channel?.addEventListener('message', (e) => {
  if (e.data === 'logout') clear();
});

// A tab coming back to the foreground (timers may have been throttled) refreshes if due.
if (typeof document !== 'undefined') {
  document.addEventListener('visibilitychange', () => {
    if (!document.hidden && current.token && Date.now() > current.expiresAt - REFRESH_AHEAD_MS) refreshSession({ scheduled: true });
  });
}

export const session = {
  get token() { return current.token && Date.now() < current.expiresAt ? current.token : null; },
  get user() { return current.token ? current.user : null; },
  get isAdmin() { return this.user?.role === 'admin'; },
  /** Gate staff (role 'gate'): they scan tickets of one event (`gate_event_id` in GET /me). */
  get isGate() { return this.user?.role === 'gate'; },
  get loggedIn() { return Boolean(current.token && current.user); },
  /** Resolves (true / false) once the session of this page load has been restored or not. */
  ready: null,
  /** Forces a refresh now (e.g. after the e-mail was verified elsewhere); resolves true / false. */
  refresh: () => refreshSession(),
  adopt,
  /** Replaces the user shown (e.g. after GET /me); the token is unchanged. */
  setUser(user) { if (current.token && user) { current.user = user; changed(); } },
  clear,
  /** Calls `fn(user | null)` whenever the session changes. */
  onChange(fn) { listeners.add(fn); return () => listeners.delete(fn); },
};
session.ready = refreshSession();

/** A message shown once on the next page (after a redirect). */
export const flash = {
  set(kind, key, vars = {}) { sessionStorage.setItem(FLASH_KEY, JSON.stringify({ kind, key, vars })); },
  take() {
    const raw = sessionStorage.getItem(FLASH_KEY);
    sessionStorage.removeItem(FLASH_KEY);
    try { return raw ? JSON.parse(raw) : null; } catch { return null; }
  },
};

// Called when the session ends under an authenticated request (set by ui.js).
let onUnauthorized = () => {};
export function setUnauthorizedHandler(fn) { onUnauthorized = fn; }

// ---- requests ---------------------------------------------------------------------------

/** The API base as an absolute URL (API_BASE may be relative to the site, e.g. '/api/v1'). */
function apiBaseUrl() {
  return new URL(API_BASE, location.href);
}

function retryAfterOf(res, problem) {
  const n = Number(problem.retry_after ?? res.headers.get('retry-after'));
  return Number.isFinite(n) && n >= 0 ? n : null;
}

async function send(method, path, { body, token, headers = {}, signal }) {
  const h = { accept: 'application/json, application/problem+json', ...headers };
  if (body !== undefined) h['content-type'] = 'application/json';
  if (token) h.authorization = `Bearer ${token}`;
  let res;
  try {
    res = await fetch(/^https?:\/\//i.test(path) ? path : `${API_BASE}${path}`, {
      method,
      headers: h,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
      // The catalogue's answers are public for a second with an ETag: 'no-cache' has the
      // browser revalidate what it holds (If-None-Match) on every poll instead of showing a
      // copy it has not checked, and a 304 hands us that copy without sending it again.
      cache: method === 'GET' ? 'no-cache' : 'default',
      signal,
    });
  } catch (err) {
    if (err?.name === 'AbortError') throw err;
    // The connection banner (connection.js) takes it from here: it retries until the API answers.
    reportFailure();
    throw new ApiError({ network: true, title: 'network', detail: String(err?.message || err), path, method });
  }
  reportAnswer(res.status);
  return res;
}

async function problemOf(res, path, method) {
  let problem = {};
  const text = await res.text().catch(() => '');
  try { problem = JSON.parse(text) || {}; } catch { problem = { detail: text.slice(0, 300) }; }
  return new ApiError({
    status: res.status,
    title: problem.title || res.statusText,
    detail: typeof problem.detail === 'string' ? problem.detail : '',
    code: typeof problem.code === 'string' ? problem.code : null,
    path,
    method,
    currentVersion: Number.isInteger(problem.current_version) ? problem.current_version : null,
    retryAfter: retryAfterOf(res, problem),
    suggestions: Array.isArray(problem.suggestions) ? problem.suggestions.filter((x) => typeof x === 'string') : [],
    problem: problem && typeof problem === 'object' && !Array.isArray(problem) ? problem : null,
  });
}

/**
 * `path` is relative to API_BASE ('/events'); an absolute URL (a followed `next` link) is used
 * as is. With `full`, the answer is `{ status, headers, data }` instead of just the data.
 * An authenticated request that answers 401 refreshes the session once and is sent again.
 */
export async function request(method, path, { body, auth = true, headers = {}, raw = false, full = false, signal } = {}) {
  if (auth && session.ready && !current.token) await session.ready;
  if (auth && current.token && Date.now() >= current.expiresAt) await refreshSession();
  let sentToken = auth ? session.token : null;
  let res = await send(method, path, { body, token: sentToken, headers, signal });
  if (res.status === 401 && sentToken) {
    // The access token was refused: another refresh may already have replaced it; else refresh.
    const ok = current.token && current.token !== sentToken ? true : await refreshSession();
    if (ok && session.token) {
      sentToken = session.token;
      res = await send(method, path, { body, token: sentToken, headers, signal });
    }
  }
  if (!res.ok) {
    const error = await problemOf(res, path, method);
    // An authenticated request refused even after a refresh (or sent with no session at all):
    // the session is over.
    if (res.status === 401 && auth) {
      clear();
      onUnauthorized(error);
    }
    throw error;
  }
  if (raw) return res;
  let data = null;
  if (res.status !== 204) {
    const text = await res.text();
    data = text ? JSON.parse(text) : null;
  }
  return full ? { status: res.status, headers: res.headers, data } : data;
}

/** The target of a `Link: <…>; rel="next"` header, or null. */
function nextLink(header) {
  for (const part of String(header || '').split(/,(?=\s*<)/)) {
    const m = part.match(/^\s*<([^>]*)>(.*)$/);
    const rel = m?.[2].match(/;\s*rel\s*=\s*(?:"([^"]*)"|([^\s;,]+))/i);
    if (rel && (rel[1] ?? rel[2]).toLowerCase().split(/\s+/).includes('next')) return m[1];
  }
  return null;
}

/**
 * Every page of a paginated list: the first page at `path`, then each `next` link, resolved
 * against the URL it came from (itself under API_BASE) and followed only on the API's origin.
 */
async function allPages(path, { limit = 100, maxPages = 200, ...opts } = {}) {
  const origin = apiBaseUrl().origin;
  const items = [];
  const seen = new Set();
  let url = new URL(`${API_BASE}${path}${path.includes('?') ? '&' : '?'}limit=${limit}`, location.href).href;
  while (url && !seen.has(url) && seen.size < maxPages) {
    seen.add(url);
    const { headers, data } = await request('GET', url, { ...opts, full: true });
    if (Array.isArray(data)) items.push(...data);
    const next = nextLink(headers.get('link'));
    const resolved = next ? new URL(next, url) : null;
    url = resolved && resolved.origin === origin ? resolved.href : null;
  }
  return items;
}

/** A local runner's /dev route, on the API's origin (the site's own when API_ORIGIN is ''). */
function devUrl(path) {
  return new URL(path, apiBaseUrl()).href;
}
let fakePspAnswer = null;

/** The `If-Match` header for an event version as the console read it (none when unknown). */
function ifMatch(version) {
  return Number.isInteger(version) ? { 'If-Match': `"${version}"` } : {};
}

export const api = {
  // ---- account ----
  /**
   * 201 UserView. `cpf` is optional (formatted or digits only); `language` ('pt-BR' | 'en') is
   * the one the account's e-mails are written in.
   */
  register: (name, email, password, cpf, language) =>
    request('POST', '/auth/register', { body: { name, email, password, ...(cpf ? { cpf } : {}), ...(language ? { language } : {}) }, auth: false }),
  /** Always 202 (whether or not an account has this e-mail): a reset link is e-mailed if it does. */
  requestPasswordReset: (email) => request('POST', '/auth/password-reset', { body: { email }, auth: false }),
  /** 204; refused as reset_link_invalid / reset_link_expired / reset_link_used / weak_password. */
  confirmPasswordReset: (token, password) => request('POST', '/auth/password-reset/confirm', { body: { token, password }, auth: false }),
  /** The language ('pt-BR' | 'en') the server writes this account's e-mails in. */
  setLanguage: (language) => request('PUT', '/me/language', { body: { language } }),
  /** Logs in (the refresh cookie is set by the answer); resolves the user. */
  async login(email, password) {
    const s = await request('POST', '/auth/login', { body: { email, password }, auth: false });
    return adopt(s);
  },
  /** Ends the session on the server (cookie cleared) and in every tab's memory. */
  async logout() {
    try {
      await request('POST', '/auth/logout', { auth: false, headers: current.token ? { authorization: `Bearer ${current.token}` } : {} });
    } finally {
      clear();
      channel?.postMessage('logout');
    }
  },
  verifyEmail: (token) => request('POST', '/auth/verify-email', { body: { token }, auth: false }),
  async me() {
    const me = await request('GET', '/me');
    session.setUser(me);
    return me;
  },
  /** Sets the CPF once; the answer is a fresh Session whose token carries it. */
  async setCpf(cpf) {
    const s = await request('PUT', '/me/cpf', { body: { cpf } });
    return adopt(s);
  },
  /** Changes the password; every other session ends, this one gets a new token and cookie. */
  async changePassword(currentPassword, newPassword) {
    const s = await request('POST', '/me/password', { body: { current_password: currentPassword, new_password: newPassword } });
    return adopt(s);
  },
  /** 202 {sent_to}. */
  resendVerification: () => request('POST', '/me/verification'),
  async deleteAccount(password) {
    await request('DELETE', '/me', { body: { password } });
    clear();
    channel?.postMessage('logout');
  },

  // ---- catalogue and orders ----
  events: () => request('GET', '/events', { auth: false }),
  event: (id) => request('GET', `/events/${encodeURIComponent(id)}`, { auth: false }),
  /**
   * What `quantity` tickets of `sector` at `price_type` cost now: { available, lot,
   * unit_price_cents, total_cents, code } (code: why not, when not available).
   */
  quote: (id, { sector, priceType, quantity }, { signal } = {}) => {
    const q = new URLSearchParams({ sector, price_type: priceType, quantity: String(quantity) });
    return request('GET', `/events/${encodeURIComponent(id)}/quote?${q}`, { auth: false, signal });
  },

  // ---- the waiting room (docs/waiting-room.md) ----
  /**
   * Joins the event's queue, or answers the place one has: { place (null before the draw),
   * arrival, drawn, opens_at, token }. 409 queue_off, 403 cpf_required, 404 not_found.
   */
  joinQueue: (id) => request('POST', `/events/${encodeURIComponent(id)}/queue`),
  /**
   * The queue's public status ({ mode: 'queue' | 'off', opens_at, opened, serving, length,
   * rate_per_minute, admitting_per_minute, sold_out, holds_pending, can_serve, sectors, … }),
   * the same for everyone and cacheable for a second (revalidated: cache 'no-cache').
   */
  queueStatus: (id, { signal } = {}) => request('GET', `/events/${encodeURIComponent(id)}/queue/status`, { auth: false, signal }),
  /** { admission_token, expires_at } once the place is reached; 409 not_your_turn, 410 sold_out, 403 invalid_place_token. */
  queueAdmission: (id, placeToken) => request('POST', `/events/${encodeURIComponent(id)}/queue/admission`, { body: { token: placeToken } }),

  /** `input.admission_token`: the event's admission while it is in queue mode (403 admission_required / admission_expired without one). */
  reserve: (input, idempotencyKey) =>
    request('POST', '/orders', { body: input, headers: idempotencyKey ? { 'Idempotency-Key': idempotencyKey } : {} }),
  orders: () => request('GET', '/orders'),
  order: (id) => request('GET', `/orders/${encodeURIComponent(id)}`),
  pay: (id, method, cardNumber) =>
    request('POST', `/orders/${encodeURIComponent(id)}/pay`, { body: method === 'card' ? { method, card_number: cardNumber } : { method } }),
  cancel: (id) => request('POST', `/orders/${encodeURIComponent(id)}/cancel`),
  refund: (id) => request('POST', `/orders/${encodeURIComponent(id)}/refund`),
  tickets: (id) => request('GET', `/orders/${encodeURIComponent(id)}/tickets`),
  /** The order's tickets as a PDF (a Blob); the bearer token goes along, so it is fetched, not navigated to. */
  async ticketsPdf(id) {
    const res = await request('GET', `/orders/${encodeURIComponent(id)}/tickets.pdf`, { raw: true, headers: { accept: 'application/pdf, application/problem+json' } });
    return res.blob();
  },
  /** The caller's tickets, bought or received (valid, used, revoked). */
  async myTickets() {
    const r = await request('GET', '/tickets');
    return Array.isArray(r) ? r : (Array.isArray(r?.tickets) ? r.tickets : []);
  },
  /** 200 { ticket: the recipient's new ticket }. `entitlement` only for a half-price ticket. */
  transferTicket: (code, email, entitlement = null) =>
    request('POST', `/tickets/${encodeURIComponent(code)}/transfer`, { body: entitlement ? { email, entitlement } : { email } }),

  // ---- the gate (gate staff and admins) ----
  gateKeys: () => request('GET', '/gate/keys', { auth: false }),
  /** 200 the check-in; 409 already_used, 410 ticket_revoked, 400 invalid_ticket, 422 wrong_event. */
  gateCheckin: (qr, gate, { signal } = {}) => request('POST', '/gate/checkins', { body: { qr, gate }, signal }),
  /** One page of the event's manifest (all of it without `since`; what changed since the cursor with it). */
  gateManifest: (eventId, since = null, { signal } = {}) =>
    request('GET', `/gate/events/${encodeURIComponent(eventId)}/manifest${since ? `?since=${encodeURIComponent(since)}` : ''}`, { signal }),
  /** Offline scans (≤ 1000), one gate: { results: [{ ticket_id, outcome }], conflicts }. */
  gateScans: (eventId, gate, scans) => request('POST', `/gate/events/${encodeURIComponent(eventId)}/scans`, { body: { gate, scans } }),

  // ---- local runner only (outside API_BASE; 404 in production) ----
  /** True when this server runs the fake PSP (GET /dev/pix → 200 {fake_psp: true}); asked once per page load. */
  fakePsp() {
    if (!fakePspAnswer) {
      fakePspAnswer = request('GET', devUrl('/dev/pix'), { auth: false })
        .then((r) => r?.fake_psp === true, () => false);
    }
    return fakePspAnswer;
  },
  /** Asks the fake PSP to pay the PIX charge `txid` (it then calls the webhook). */
  simulatePix: (txid) => request('POST', devUrl('/dev/pix/pay'), { body: { txid }, auth: false }),

  // ---- admin ----
  /** Every admin event: all pages of the list, following its `next` links. */
  adminEvents: () => allPages('/admin/events'),
  createEvent: (input) => request('POST', '/admin/events', { body: input }),
  // The writes to an event are conditional on the `version` the console read (If-Match); a
  // stale one is an ApiError with `staleVersion` (409 + current_version).
  updateEvent: (id, input, version) =>
    request('PUT', `/admin/events/${encodeURIComponent(id)}`, { body: input, headers: ifMatch(version) }),
  setEventStatus: (id, status, version) =>
    request('PATCH', `/admin/events/${encodeURIComponent(id)}/status`, { body: { status }, headers: ifMatch(version) }),
  /** `{ status: 200, event }` (cancelled) or `{ status: 202, event }` (still cancelling: the sweep goes on). */
  async cancelEvent(id, version) {
    const r = await request('POST', `/admin/events/${encodeURIComponent(id)}/cancel`, { headers: ifMatch(version), full: true });
    return { status: r.status, event: r.data };
  },
  /** `{ status: 204, event: null }` (deleted) or `{ status: 202, event }` (still deleting). */
  async deleteEvent(id, version) {
    const r = await request('DELETE', `/admin/events/${encodeURIComponent(id)}`, { headers: ifMatch(version), full: true });
    return { status: r.status, event: r.data };
  },
  dashboard: () => request('GET', '/admin/dashboard'),
  /** 201 { id, name, email, role: 'gate', gate_event_id }. */
  createGateStaff: (eventId, input) => request('POST', `/admin/events/${encodeURIComponent(eventId)}/gate-staff`, { body: input }),
  /** { issued, checked_in, no_shows, per_minute, per_gate, conflicts }. */
  gateReport: (eventId) => request('GET', `/admin/events/${encodeURIComponent(eventId)}/gate`),
  inventory: (id) => request('GET', `/admin/events/${encodeURIComponent(id)}/inventory`),
  ordersCsv: (id) => request('GET', `/admin/events/${encodeURIComponent(id)}/orders.csv`, { raw: true, headers: { accept: 'text/csv' } }),
};
