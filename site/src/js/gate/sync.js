// The gate's traffic with the server besides check-ins: the event's manifest (a full load, then
// `since=<cursor>` every few seconds, following `more: true` at once) into IndexedDB, and the
// offline scans sent in batches of at most 1,000 once the network is back.
import { api } from '../api.js';
import * as store from './store.js';
import { batches, entryAfterSync } from './decide.js';

/** A runaway guard: at most this many manifest pages in one refresh (5,000 entries each). */
const MAX_PAGES = 400;
export const SCAN_BATCH = 1000;

const running = new Map();
/** Runs `fn` once at a time per `key` (a second call while it runs gets the same promise). */
function once(key, fn) {
  if (!running.has(key)) running.set(key, fn().finally(() => running.delete(key)));
  return running.get(key);
}

/**
 * Brings the stored manifest of `eventId` up to date. Resolves
 * `{ meta, count, changed }` (the stored meta afterwards, how many entries, how many came).
 */
export function refreshManifest(eventId) {
  return once(`manifest:${eventId}`, async () => {
    const before = await store.getMeta(eventId);
    let since = before?.cursor || null;
    let changed = 0;
    for (let i = 0; i < MAX_PAGES; i += 1) {
      const page = await api.gateManifest(eventId, since);
      await store.saveManifestPage(eventId, page, { reset: !since });
      changed += Array.isArray(page?.tickets) ? page.tickets.length : 0;
      const next = page?.cursor || null;
      if (!page?.more || !next || next === since) break;
      since = next;
    }
    return { meta: await store.getMeta(eventId), count: await store.countEntries(eventId), changed };
  });
}

/**
 * Sends every waiting offline scan (all events, grouped by event and gate, ≤ 1,000 a call),
 * records what the server made of each in the local manifest and drops the sent ones.
 * Resolves `{ sent, conflicts, revoked, failed }`; `failed` is the first error, if any (the
 * scans it concerned stay queued for the next try).
 */
export function syncPending() {
  return once('scans', async () => {
    const rows = await store.allPending();
    const groups = new Map();
    for (const r of rows) {
      const key = JSON.stringify([r.event_id, r.gate]);
      if (!groups.has(key)) groups.set(key, []);
      groups.get(key).push(r);
    }
    let sent = 0;
    let conflicts = 0;
    let revoked = 0;
    let failed = null;
    for (const group of groups.values()) {
      const { event_id: eventId, gate } = group[0];
      for (const batch of batches(group, SCAN_BATCH)) {
        let answer;
        try {
          answer = await api.gateScans(eventId, gate, batch.map((s) => ({ qr: s.qr, scanned_at: s.scanned_at })));
        } catch (err) {
          failed ??= err;
          if (err?.network) return { sent, conflicts, revoked, failed }; // offline again: stop here
          break; // this event's scans stay queued; try the other events
        }
        const byId = new Map(batch.map((s) => [s.ticket_id, s]));
        const entries = [];
        for (const res of Array.isArray(answer?.results) ? answer.results : []) {
          const scan = byId.get(String(res?.ticket_id || '').toUpperCase());
          if (!scan) continue;
          if (res.outcome === 'revoked') revoked += 1;
          const previous = await store.getEntry(eventId, scan.ticket_id);
          const next = entryAfterSync(scan, res.outcome, previous);
          if (next && next !== previous) entries.push(next);
        }
        if (entries.length) await store.putEntries(eventId, entries);
        conflicts += Number(answer?.conflicts) || 0;
        await store.removePending(eventId, batch.map((s) => s.ticket_id));
        sent += batch.length;
      }
    }
    return { sent, conflicts, revoked, failed };
  });
}
