// The admin console's own API calls, on top of the shared client (../api.js): the audit log
// with its filters, the waiting room of an event, the stock window and the orders export in
// both formats. The event writes,
// the dashboard and the gate routes stay in ../api.js (`api`).
import { request } from '../api.js';

const enc = encodeURIComponent;

/** A query string of the filters that are set (`?event=…&action=…`), or ''. */
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) if (v != null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

export const adminApi = {
  /**
   * GET /admin/audit: the newest admin actions, [{ at, actor, action, target, before, after }].
   * `event` and `action` narrow it down (a server that does not know them yet ignores them).
   */
  async audit({ event = null, action = null } = {}) {
    const r = await request('GET', `/admin/audit${query({ event, action })}`);
    return Array.isArray(r) ? r : (Array.isArray(r?.entries) ? r.entries : []);
  },
  /**
   * GET /admin/events/{id}/queue: the waiting room as the admin sees it ({ enabled, opens_at,
   * rate_per_minute, length, serving, waiting, admitted_last_minute, admitted_total,
   * orders_from_admitted, conversion, can_serve, outstanding, sold_out, holds_pending }).
   */
  queue: (id) => request('GET', `/admin/events/${enc(id)}/queue`),
  /** PUT /admin/events/{id}/queue { enabled, opens_at (RFC 3339, UTC), rate_per_minute }: the same view. */
  setQueue: (id, { enabled, opensAt, ratePerMinute }) => request('PUT', `/admin/events/${enc(id)}/queue`, {
    body: { enabled: Boolean(enabled), opens_at: opensAt, rate_per_minute: ratePerMinute },
  }),
  /** GET /admin/events/{id}/inventory: { topology, note, shards, buckets: [{ sector, lot, lot_name?, … }] }. */
  inventory: (id) => request('GET', `/admin/events/${enc(id)}/inventory`),
  /**
   * GET /admin/events/{id}/orders.csv: the raw Response. `format` 'excel' (the default: a CSV for
   * a pt-BR spreadsheet) or 'raw' (for machines). For a large export the server may answer
   * JSON `{ url }` (a short-lived link) instead of the file.
   */
  ordersCsv: (id, format = 'excel') => request('GET', `/admin/events/${enc(id)}/orders.csv${format === 'raw' ? '?format=raw' : ''}`, {
    raw: true, headers: { accept: 'text/csv, application/json;q=0.9' },
  }),
};
