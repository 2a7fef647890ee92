// The API client: JSON in and out, the bearer token, RFC 9457 problem documents as ApiError,
// paginated lists (Link: rel="next"), event versions (ETag / If-Match) and the session
// (token + user in localStorage).
import { API_BASE } from './config.js';

const TOKEN_KEY = 'bilheteria.token';
const USER_KEY = 'bilheteria.user';
const EXPIRES_KEY = 'bilheteria.expires';
const FLASH_KEY = 'bilheteria.flash';

export class ApiError extends Error {
  constructor({ status = 0, title = '', detail = '', network = false, path = '', method = 'GET', currentVersion = null } = {}) {
    super(detail || title || `HTTP ${status}`);
    this.status = status;
    this.title = title;
    this.detail = detail;
    this.network = network;
    this.path = path;
    this.method = method;
    /** On a 409 for a stale event version: the event's version now (else null). */
    this.currentVersion = currentVersion;
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

// ---- session ----------------------------------------------------------------------------

export const session = {
  get token() {
    const token = localStorage.getItem(TOKEN_KEY);
    const expires = Number(localStorage.getItem(EXPIRES_KEY) || 0);
    if (token && expires && Date.now() > expires) return null;
    return token;
  },
  get user() {
    try { return JSON.parse(localStorage.getItem(USER_KEY) || 'null'); } catch { return null; }
  },
  get isAdmin() { return this.user?.role === 'admin'; },
  get loggedIn() { return Boolean(this.token); },
  /** A stored token whose expiry has passed (the session ended on its own). */
  get expired() {
    const expires = Number(localStorage.getItem(EXPIRES_KEY) || 0);
    return Boolean(localStorage.getItem(TOKEN_KEY) && expires && Date.now() > expires);
  },
  save(token, expiresIn) {
    localStorage.setItem(TOKEN_KEY, token);
    if (expiresIn) localStorage.setItem(EXPIRES_KEY, String(Date.now() + Number(expiresIn) * 1000 - 5000));
    else localStorage.removeItem(EXPIRES_KEY);
  },
  setUser(user) { localStorage.setItem(USER_KEY, JSON.stringify(user)); },
  clear() {
    localStorage.removeItem(TOKEN_KEY);
    localStorage.removeItem(USER_KEY);
    localStorage.removeItem(EXPIRES_KEY);
  },
};

/** A message shown once on the next page (after a redirect). */
export const flash = {
  set(kind, key, vars = {}) { sessionStorage.setItem(FLASH_KEY, JSON.stringify({ kind, key, vars })); },
  take() {
    const raw = sessionStorage.getItem(FLASH_KEY);
    sessionStorage.removeItem(FLASH_KEY);
    try { return raw ? JSON.parse(raw) : null; } catch { return null; }
  },
};

// Called when an authenticated request answers 401 (set by ui.js: logs out with a message).
let onUnauthorized = () => {};
export function setUnauthorizedHandler(fn) { onUnauthorized = fn; }

// ---- requests ---------------------------------------------------------------------------

/** The API base as an absolute URL (API_BASE may be relative to the site, e.g. '/api/v1'). */
function apiBaseUrl() {
  return new URL(API_BASE, location.href);
}

/**
 * `path` is relative to API_BASE ('/events'); an absolute URL (a followed `next` link) is used
 * as is. With `full`, the answer is `{ status, headers, data }` instead of just the data.
 */
export async function request(method, path, { body, auth = true, headers = {}, raw = false, full = false, signal } = {}) {
  const h = { accept: 'application/json, application/problem+json', ...headers };
  if (body !== undefined) h['content-type'] = 'application/json';
  const token = session.token;
  const sentToken = auth && token;
  if (sentToken) h.authorization = `Bearer ${token}`;
  let res;
  try {
    res = await fetch(/^https?:\/\//i.test(path) ? path : `${API_BASE}${path}`, {
      method,
      headers: h,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
    });
  } catch (err) {
    if (err?.name === 'AbortError') throw err;
    throw new ApiError({ network: true, title: 'network', detail: String(err?.message || err), path, method });
  }
  if (!res.ok) {
    let problem = {};
    const text = await res.text().catch(() => '');
    try { problem = JSON.parse(text); } catch { problem = { detail: text.slice(0, 300) }; }
    const error = new ApiError({
      status: res.status,
      title: problem.title || res.statusText,
      detail: problem.detail || '',
      path,
      method,
      currentVersion: Number.isInteger(problem.current_version) ? problem.current_version : null,
    });
    if (res.status === 401 && sentToken) onUnauthorized(error);
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

/** The `If-Match` header for an event version as the console read it (none when unknown). */
function ifMatch(version) {
  return Number.isInteger(version) ? { 'If-Match': `"${version}"` } : {};
}

export const api = {
  register: (name, email, password) => request('POST', '/auth/register', { body: { name, email, password }, auth: false }),
  async login(email, password) {
    const r = await request('POST', '/auth/login', { body: { email, password }, auth: false });
    session.save(r.access_token, r.expires_in);
    const me = await request('GET', '/me');
    session.setUser(me);
    return me;
  },
  me: () => request('GET', '/me'),

  events: () => request('GET', '/events', { auth: false }),
  event: (id) => request('GET', `/events/${encodeURIComponent(id)}`, { auth: false }),

  reserve: (input, idempotencyKey) =>
    request('POST', '/orders', { body: input, headers: idempotencyKey ? { 'Idempotency-Key': idempotencyKey } : {} }),
  orders: () => request('GET', '/orders'),
  order: (id) => request('GET', `/orders/${encodeURIComponent(id)}`),
  pay: (id, method, cardNumber) =>
    request('POST', `/orders/${encodeURIComponent(id)}/pay`, { body: method === 'card' ? { method, card_number: cardNumber } : { method } }),
  cancel: (id) => request('POST', `/orders/${encodeURIComponent(id)}/cancel`),
  refund: (id) => request('POST', `/orders/${encodeURIComponent(id)}/refund`),
  tickets: (id) => request('GET', `/orders/${encodeURIComponent(id)}/tickets`),

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
  inventory: (id) => request('GET', `/admin/events/${encodeURIComponent(id)}/inventory`),
  ordersCsv: (id) => request('GET', `/admin/events/${encodeURIComponent(id)}/orders.csv`, { raw: true, headers: { accept: 'text/csv' } }),
};
