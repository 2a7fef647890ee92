// The offline decision (docs/gate.md "Manifest (offline)"), pure: what a gate without the
// server says about a scanned payload, from the signature check, the manifest's entry for the
// ticket and this device's own earlier scans. No DOM, no storage: Node tests it.
//
//   bad signature / unknown key / garbled → invalid
//   a real ticket of another event        → wrong_event
//   the manifest says revoked             → revoked (with the reason)
//   the manifest says used, or this device scanned it already → already_used (time and gate)
//   not in the manifest but validly signed → accepted, flagged `unlisted` (issued after the last sync)
//   otherwise                              → accepted

/**
 * `verified`: the answer of verifyTicket() ({ valid, reason, ticket });
 * `eventId`: the event this gate checks; `entry`: the manifest's ticket entry or null;
 * `local`: this device's scan of the ticket ({ scanned_at, gate }) or null.
 * Returns { outcome, ticket?, reason?, checkedInAt?, gate?, unlisted? }.
 */
export function decideOffline({ verified, eventId, entry = null, local = null }) {
  if (!verified?.valid) return { outcome: 'invalid', reason: verified?.reason || 'garbled' };
  const { ticket } = verified;
  if (eventId && ticket.eventId !== String(eventId).toLowerCase()) return { outcome: 'wrong_event', ticket };
  if (entry?.state === 'revoked') return { outcome: 'revoked', ticket, reason: entry.reason || null };
  if (entry?.state === 'used') {
    return { outcome: 'already_used', ticket, checkedInAt: entry.checked_in_at || local?.scanned_at || null, gate: entry.gate || local?.gate || null };
  }
  if (local) return { outcome: 'already_used', ticket, checkedInAt: local.scanned_at || null, gate: local.gate || null };
  return { outcome: 'accepted', ticket, unlisted: !entry };
}

/**
 * Applies manifest entries to a Map id → entry (last one wins, in the order given) and returns
 * the entries kept. Entries without an id are skipped.
 */
export function applyEntries(map, entries) {
  for (const e of Array.isArray(entries) ? entries : []) {
    if (e && typeof e.id === 'string' && e.id) map.set(e.id.toUpperCase(), e);
  }
  return map;
}

/** Splits `items` into batches of at most `size` (the scans endpoint takes ≤ 1000 per call). */
export function batches(items, size = 1000) {
  const out = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * What a sync result means for the local manifest entry of its ticket: the server now has the
 * ticket as used (checked_in, duplicate, conflict) or revoked; `unknown` changes nothing.
 */
export function entryAfterSync(scan, outcome, previous = null) {
  if (outcome === 'revoked') return { ...(previous || {}), id: scan.ticket_id, state: 'revoked', reason: previous?.reason || null };
  if (['checked_in', 'duplicate', 'conflict'].includes(outcome)) {
    if (previous?.state === 'used') return previous;
    return { id: scan.ticket_id, state: 'used', reason: null, checked_in_at: scan.scanned_at, gate: scan.gate };
  }
  return previous;
}
