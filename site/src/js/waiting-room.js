// The waiting room's browser side (docs/waiting-room.md), without the DOM: what this browser
// keeps per event (the place token from POST /events/{id}/queue, the admission token from
// POST /events/{id}/queue/admission) and the figures the waiting page shows (people ahead,
// the estimated wait, the progress).
//
// Both tokens name the account they were given to, so each is kept with its user id: another
// account logged in on the same browser does not pick them up. They live in localStorage (per
// event) so that a reload or a second tab shows the same place and the event page knows the
// buyer's turn has come. They are not credentials: the server checks each against the session.
//
// Kept free of the DOM so the unit tests (node) can call it.

const PLACE_PREFIX = 'bilheteria.queue.place.';
const ADMISSION_PREFIX = 'bilheteria.queue.admission.';
/** An admission this close to its end is treated as over (the reservation would arrive too late). */
const ADMISSION_MARGIN_MS = 2000;

export const placeKey = (eventId) => `${PLACE_PREFIX}${eventId}`;
export const admissionKey = (eventId) => `${ADMISSION_PREFIX}${eventId}`;

function store(storage) {
  if (storage) return storage;
  try { return globalThis.localStorage ?? null; } catch { return null; }
}

function read(key, storage) {
  try {
    const raw = store(storage)?.getItem(key);
    const v = raw ? JSON.parse(raw) : null;
    return v && typeof v === 'object' && !Array.isArray(v) ? v : null;
  } catch { return null; }
}

function write(key, value, storage) {
  try { store(storage)?.setItem(key, JSON.stringify(value)); } catch { /* storage full or unavailable */ }
}

function drop(key, storage) {
  try { store(storage)?.removeItem(key); } catch { /* storage unavailable */ }
}

/** The place this account holds in the event's queue, as last answered: { token, place, arrival, drawn, opens_at }, or null. */
export function storedPlace(eventId, userId, storage) {
  const v = read(placeKey(eventId), storage);
  if (!v || !userId || v.user !== userId || typeof v.token !== 'string' || !v.token) return null;
  return v;
}

/** Keeps the answer of POST /events/{id}/queue for this account. */
export function keepPlace(eventId, userId, joined, storage) {
  if (!userId || typeof joined?.token !== 'string') return;
  write(placeKey(eventId), {
    user: userId,
    token: joined.token,
    place: Number.isInteger(joined.place) ? joined.place : null,
    arrival: Number.isInteger(joined.arrival) ? joined.arrival : null,
    drawn: joined.drawn === true,
    opens_at: joined.opens_at || null,
  }, storage);
}

export function dropPlace(eventId, storage) { drop(placeKey(eventId), storage); }

/**
 * This account's admission to the event ({ admission_token, expires_at }) while it is valid,
 * else null (an expired one is removed).
 */
export function storedAdmission(eventId, userId, storage, now = Date.now()) {
  const v = read(admissionKey(eventId), storage);
  if (!v || !userId || v.user !== userId || typeof v.admission_token !== 'string' || !v.admission_token) return null;
  const end = Date.parse(v.expires_at);
  if (!Number.isFinite(end) || end - ADMISSION_MARGIN_MS <= now) {
    drop(admissionKey(eventId), storage);
    return null;
  }
  return v;
}

/** Keeps the answer of POST /events/{id}/queue/admission for this account. */
export function keepAdmission(eventId, userId, admitted, storage) {
  if (!userId || typeof admitted?.admission_token !== 'string') return;
  write(admissionKey(eventId), { user: userId, admission_token: admitted.admission_token, expires_at: admitted.expires_at || null }, storage);
}

export function dropAdmission(eventId, storage) { drop(admissionKey(eventId), storage); }

// ---- the figures of the waiting page ---------------------------------------------------------

/** A whole number ≥ 0 from the status, or null. */
function count(v) {
  const n = Number(v);
  return v != null && Number.isFinite(n) && n >= 0 ? Math.floor(n) : null;
}

/**
 * The buyer's position from their place and the status: people ahead = max(0, place − serving);
 * the rate is what the room admitted in the last minute, else what the admin set; `minutes` the
 * estimated wait (null when it cannot be told); `percent` how much of the way to the front is
 * done (serving / place). `turn`: the place has been reached.
 */
export function waitFigures(place, status) {
  const serving = count(status?.serving) ?? 0;
  if (!Number.isInteger(place) || place < 1) return { ahead: null, perMinute: null, minutes: null, percent: 0, turn: false, serving };
  const ahead = Math.max(0, place - serving);
  const admitting = Number(status?.admitting_per_minute);
  const rate = Number(status?.rate_per_minute);
  const perMinute = admitting > 0 ? admitting : (rate > 0 ? rate : null);
  const minutes = ahead === 0 ? 0 : (perMinute ? ahead / perMinute : null);
  const percent = Math.max(0, Math.min(100, Math.floor((Math.min(serving, place) / place) * 100)));
  return { ahead, perMinute, minutes, percent: ahead === 0 ? 100 : percent, turn: ahead === 0, serving };
}

/** The i18n key and values of an estimated wait of `minutes` (null: unknown). */
export function etaText(minutes) {
  if (minutes == null || !Number.isFinite(minutes)) return { key: 'queue.etaUnknown', vars: {} };
  if (minutes <= 0) return { key: 'queue.etaNow', vars: {} };
  if (minutes < 1) return { key: 'queue.etaUnderMinute', vars: {} };
  if (minutes < 60) return { key: 'queue.etaMinutes', vars: { n: Math.ceil(minutes) } };
  const whole = Math.ceil(minutes);
  return { key: 'queue.etaHours', vars: { h: Math.floor(whole / 60), m: whole % 60 } };
}

/**
 * What the stock says (the status): 'sold_out' (nothing on sale now: the status says so, or
 * every sector it lists is out; `holds_pending` tells whether unpaid holds may still bring
 * tickets back), 'claimed' (tickets are left, but the room can call no one else for now: those
 * already called may take them all), or 'open'.
 */
export function stockState(status) {
  if (!status) return 'open';
  if (status.sold_out === true) return 'sold_out';
  const sectors = Array.isArray(status.sectors) ? status.sectors : [];
  if (sectors.length > 0 && sectors.every((s) => s?.available === false)) return 'sold_out';
  if (status.can_serve === false) return 'claimed';
  return 'open';
}
