// The API client: JSON in and out, the bearer token, RFC 9457 problem documents as ApiError,
// and the session (token + user in localStorage).
import { API_BASE } from './config.js';

const TOKEN_KEY = 'bilheteria.token';
const USER_KEY = 'bilheteria.user';
const EXPIRES_KEY = 'bilheteria.expires';
const FLASH_KEY = 'bilheteria.flash';

export class ApiError extends Error {
  constructor({ status = 0, title = '', detail = '', network = false, path = '', method = 'GET' } = {}) {
    super(detail || title || `HTTP ${status}`);
    this.status = status;
    this.title = title;
    this.detail = detail;
    this.network = network;
    this.path = path;
    this.method = method;
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

export async function request(method, path, { body, auth = true, headers = {}, raw = false, signal } = {}) {
  const h = { accept: 'application/json, application/problem+json', ...headers };
  if (body !== undefined) h['content-type'] = 'application/json';
  const token = session.token;
  const sentToken = auth && token;
  if (sentToken) h.authorization = `Bearer ${token}`;
  let res;
  try {
    res = await fetch(`${API_BASE}${path}`, {
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
    });
    if (res.status === 401 && sentToken) onUnauthorized(error);
    throw error;
  }
  if (raw) return res;
  if (res.status === 204) return null;
  const text = await res.text();
  return text ? JSON.parse(text) : null;
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

  adminEvents: () => request('GET', '/admin/events'),
  createEvent: (input) => request('POST', '/admin/events', { body: input }),
  updateEvent: (id, input) => request('PUT', `/admin/events/${encodeURIComponent(id)}`, { body: input }),
  setEventStatus: (id, status) => request('PATCH', `/admin/events/${encodeURIComponent(id)}/status`, { body: { status } }),
  cancelEvent: (id) => request('POST', `/admin/events/${encodeURIComponent(id)}/cancel`),
  deleteEvent: (id) => request('DELETE', `/admin/events/${encodeURIComponent(id)}`),
  dashboard: () => request('GET', '/admin/dashboard'),
  inventory: (id) => request('GET', `/admin/events/${encodeURIComponent(id)}/inventory`),
  ordersCsv: (id) => request('GET', `/admin/events/${encodeURIComponent(id)}/orders.csv`, { raw: true, headers: { accept: 'text/csv' } }),
};
