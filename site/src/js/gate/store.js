// The gate's IndexedDB: per event, the manifest (cursor, keys, ticket entries by id), the scans
// this device accepted (so it refuses a second entry on its own) and the offline scans waiting
// to be sent to the server.
//
//   meta    event_id → { event_id, event_name, cursor, keys, synced_at }
//   tickets [event_id, id] → a manifest entry { id, state, reason, checked_in_at, gate }
//   seen    [event_id, ticket_id] → { scanned_at, gate } (every entry this device let in)
//   pending [event_id, ticket_id] → { scanned_at, gate } (accepted offline, not synced yet)

const DB_NAME = 'bilheteria-gate';
const DB_VERSION = 1;
let opening = null;

const done = (req) => new Promise((resolve, reject) => {
  req.onsuccess = () => resolve(req.result);
  req.onerror = () => reject(req.error);
});
const finished = (tx) => new Promise((resolve, reject) => {
  tx.oncomplete = () => resolve();
  tx.onabort = () => reject(tx.error || new Error('transaction aborted'));
  tx.onerror = () => reject(tx.error);
});

export function openDb() {
  if (!opening) {
    opening = new Promise((resolve, reject) => {
      const req = indexedDB.open(DB_NAME, DB_VERSION);
      req.onupgradeneeded = () => {
        const db = req.result;
        if (!db.objectStoreNames.contains('meta')) db.createObjectStore('meta', { keyPath: 'event_id' });
        for (const name of ['tickets', 'seen', 'pending']) {
          if (!db.objectStoreNames.contains(name)) {
            db.createObjectStore(name, { keyPath: name === 'tickets' ? ['event_id', 'id'] : ['event_id', 'ticket_id'] });
          }
        }
      };
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
      req.onblocked = () => reject(new Error('the gate database is blocked by another tab'));
    });
    opening.catch(() => { opening = null; });
  }
  return opening;
}

async function run(stores, mode, fn) {
  const db = await openDb();
  const tx = db.transaction(stores, mode);
  const out = fn(...[].concat(stores).map((name) => tx.objectStore(name)));
  await finished(tx);
  return out;
}

const range = (eventId) => IDBKeyRange.bound([eventId, ''], [eventId, '\uffff']);

export async function getMeta(eventId) {
  const db = await openDb();
  return (await done(db.transaction('meta').objectStore('meta').get(eventId))) || null;
}

/**
 * Stores one manifest page: its entries (by id, last one wins), the cursor, the keys and the
 * event's name. `reset` (a full load, without `since`) first drops the event's old entries.
 */
export async function saveManifestPage(eventId, page, { reset = false } = {}) {
  await run(['meta', 'tickets'], 'readwrite', (meta, tickets) => {
    if (reset) tickets.delete(range(eventId));
    for (const e of Array.isArray(page.tickets) ? page.tickets : []) {
      if (e && typeof e.id === 'string' && e.id) tickets.put({ ...e, id: e.id.toUpperCase(), event_id: eventId });
    }
    meta.put({
      event_id: eventId,
      event_name: page.event_name ?? null,
      cursor: page.cursor ?? null,
      keys: Array.isArray(page.keys) ? page.keys : [],
      synced_at: new Date().toISOString(),
    });
  });
}

/** Writes entries the page learnt itself (a check-in answered online, a sync result). */
export async function putEntries(eventId, entries) {
  await run('tickets', 'readwrite', (tickets) => {
    for (const e of entries) if (e?.id) tickets.put({ ...e, id: e.id.toUpperCase(), event_id: eventId });
  });
}

export async function getEntry(eventId, ticketId) {
  const db = await openDb();
  return (await done(db.transaction('tickets').objectStore('tickets').get([eventId, ticketId]))) || null;
}

export async function countEntries(eventId) {
  const db = await openDb();
  return done(db.transaction('tickets').objectStore('tickets').count(range(eventId)));
}

export async function getSeen(eventId, ticketId) {
  const db = await openDb();
  return (await done(db.transaction('seen').objectStore('seen').get([eventId, ticketId]))) || null;
}

/** This device let the ticket in (online): remembered so it refuses it offline later. */
export async function markSeen(eventId, ticketId, scannedAt, gate) {
  await run('seen', 'readwrite', (seen) => {
    seen.put({ event_id: eventId, ticket_id: ticketId, scanned_at: scannedAt, gate });
  });
}

/** An offline entry: remembered as seen and queued for the server (with the signed QR it
 * showed: the server believes a scan only with it), in one transaction. */
export async function addPending(eventId, ticketId, scannedAt, gate, qr) {
  await run(['seen', 'pending'], 'readwrite', (seen, pending) => {
    seen.put({ event_id: eventId, ticket_id: ticketId, scanned_at: scannedAt, gate });
    pending.put({ event_id: eventId, ticket_id: ticketId, scanned_at: scannedAt, gate, qr });
  });
}

/** Every scan waiting to be sent, all events (oldest first). */
export async function allPending() {
  const db = await openDb();
  const rows = await done(db.transaction('pending').objectStore('pending').getAll());
  return rows.sort((a, b) => String(a.scanned_at).localeCompare(String(b.scanned_at)));
}

export async function pendingCount(eventId = null) {
  const db = await openDb();
  const store = db.transaction('pending').objectStore('pending');
  return done(eventId ? store.count(range(eventId)) : store.count());
}

/** Drops the scans the server has answered (by event and ticket id). */
export async function removePending(eventId, ticketIds) {
  await run('pending', 'readwrite', (pending) => {
    for (const id of ticketIds) pending.delete([eventId, id]);
  });
}
