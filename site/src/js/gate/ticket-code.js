// The gate's QR payload, format 1 (docs/gate.md): `BLH1.` + base64url (no padding) of
// body || Ed25519 signature of the body. Pure: no DOM, no storage, no network — Node's test
// runner uses it as the browser does (site/tests/unit/ticket-code.test.mjs).
//
//   body = format (1) · kid length k (1..16) · kid (k ASCII bytes) · ticket id (16) ·
//          event id (12) · issued at (u32 big-endian, Unix seconds) · price type (0 full, 1 half) ·
//          entitlement (0 none, 1..5) · sector (1 + n ≤ 48, UTF-8) · lot (idem) · holder (idem)
//
// decodeTicket() only reads; verifyTicket() also checks the signature against a key ring
// ({ kid → 32-byte public key }) with a verify function (gate/ed25519.js).

export const PREFIX = 'BLH1.';
export const FORMAT = 1;
export const SIGNATURE_BYTES = 64;
export const MAX_KID = 16;
export const MAX_TEXT = 48;

/** The entitlement codes, by their byte in the payload (index 0 = none). */
export const ENTITLEMENTS = [null, 'student', 'senior', 'disability', 'low_income_youth', 'teacher'];
export const PRICE_TYPES = ['full', 'half'];

/** Why a payload was refused (stable codes, translated by the page as gate.why.<code>). */
export const REASONS = Object.freeze({
  prefix: 'prefix', // not `BLH1.`
  base64: 'base64', // not base64url without padding
  truncated: 'truncated', // shorter than its lengths say
  trailing: 'trailing', // bytes after the signature
  format: 'format', // a format byte other than 1
  garbled: 'garbled', // a length or a value out of range, text that is not UTF-8
  unknownKey: 'unknown_key', // a kid not in the key ring
  signature: 'signature', // the signature does not verify
});

export class TicketCodeError extends Error {
  constructor(reason, message = reason) {
    super(message);
    this.name = 'TicketCodeError';
    this.reason = reason;
  }
}

const B64URL = /^[A-Za-z0-9_-]*$/;
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const VALUES = new Map([...ALPHABET].map((c, i) => [c, i]));

/**
 * Strict base64url without padding: only the URL alphabet, no `=`, no length ≡ 1 (mod 4), and
 * the unused low bits of the last character zero (one text per byte string). Throws otherwise.
 */
export function base64urlDecode(text) {
  const s = String(text);
  if (!B64URL.test(s) || s.length % 4 === 1) throw new TicketCodeError(REASONS.base64, 'not base64url');
  const out = new Uint8Array(Math.floor((s.length * 3) / 4));
  let bits = 0;
  let acc = 0;
  let o = 0;
  for (const c of s) {
    acc = (acc << 6) | VALUES.get(c);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
    }
    acc &= (1 << bits) - 1;
  }
  if (acc !== 0) throw new TicketCodeError(REASONS.base64, 'non-canonical base64url');
  return out;
}

/** base64url without padding of bytes. */
export function base64urlEncode(bytes) {
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    out += ALPHABET[n >> 18] + ALPHABET[(n >> 12) & 63] + ALPHABET[(n >> 6) & 63] + ALPHABET[n & 63];
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i] << 16;
    out += ALPHABET[n >> 18] + ALPHABET[(n >> 12) & 63];
  } else if (rest === 2) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8);
    out += ALPHABET[n >> 18] + ALPHABET[(n >> 12) & 63] + ALPHABET[(n >> 6) & 63];
  }
  return out;
}

const hex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** A cursor over the payload's bytes that refuses to read past the end. */
function reader(bytes) {
  let at = 0;
  const take = (n) => {
    if (at + n > bytes.length) throw new TicketCodeError(REASONS.truncated, 'truncated');
    const part = bytes.subarray(at, at + n);
    at += n;
    return part;
  };
  return {
    take,
    byte: () => take(1)[0],
    text(max) {
      const n = take(1)[0];
      if (n > max) throw new TicketCodeError(REASONS.garbled, `text of ${n} bytes (at most ${max})`);
      try {
        return utf8.decode(take(n));
      } catch (err) {
        if (err instanceof TicketCodeError) throw err;
        throw new TicketCodeError(REASONS.garbled, 'text is not UTF-8');
      }
    },
    get offset() { return at; },
  };
}

/**
 * Reads a payload without checking its signature. Returns
 * `{ ticket, body, signature }` where `ticket` is
 * `{ format, kid, ticketId, eventId, issuedAt, priceType, entitlement, sector, lot, holderName }`
 * (ticketId: 32 upper-case hex digits, eventId: 24 lower-case, issuedAt: Unix seconds) and
 * `body` the signed bytes. Throws a TicketCodeError (its `reason` one of REASONS) otherwise.
 */
export function decodeTicket(text) {
  const s = String(text ?? '').trim();
  if (!s.startsWith(PREFIX)) throw new TicketCodeError(REASONS.prefix, 'not a BLH1 ticket');
  const bytes = base64urlDecode(s.slice(PREFIX.length));
  const r = reader(bytes);
  const format = r.byte();
  if (format !== FORMAT) throw new TicketCodeError(REASONS.format, `format ${format}`);
  const k = r.byte();
  if (k < 1 || k > MAX_KID) throw new TicketCodeError(REASONS.garbled, `key id of ${k} bytes`);
  const kidBytes = r.take(k);
  if (kidBytes.some((b) => b < 0x21 || b > 0x7e)) throw new TicketCodeError(REASONS.garbled, 'key id is not printable ASCII');
  const kid = String.fromCharCode(...kidBytes);
  const ticketId = hex(r.take(16)).toUpperCase();
  const eventId = hex(r.take(12));
  const at = r.take(4);
  const issuedAt = ((at[0] << 24) >>> 0) + (at[1] << 16) + (at[2] << 8) + at[3];
  const price = r.byte();
  if (price >= PRICE_TYPES.length) throw new TicketCodeError(REASONS.garbled, `price type ${price}`);
  const ent = r.byte();
  if (ent >= ENTITLEMENTS.length) throw new TicketCodeError(REASONS.garbled, `entitlement ${ent}`);
  const sector = r.text(MAX_TEXT);
  const lot = r.text(MAX_TEXT);
  const holderName = r.text(MAX_TEXT);
  const bodyEnd = r.offset;
  const signature = r.take(SIGNATURE_BYTES);
  if (r.offset !== bytes.length) throw new TicketCodeError(REASONS.trailing, `${bytes.length - r.offset} byte(s) after the signature`);
  return {
    ticket: {
      format, kid, ticketId, eventId, issuedAt, priceType: PRICE_TYPES[price], entitlement: ENTITLEMENTS[ent], sector, lot, holderName,
    },
    body: bytes.subarray(0, bodyEnd),
    signature,
  };
}

/**
 * A key ring from the API's key list (`[{ kid, alg, public_key: <base64url 32 bytes> }]`, as in
 * GET /gate/keys and the manifest): a Map kid → Uint8Array(32). Keys that are not Ed25519 or not
 * 32 bytes are left out.
 */
export function keyRing(keys) {
  const ring = new Map();
  for (const k of Array.isArray(keys) ? keys : []) {
    if (!k || typeof k.kid !== 'string' || (k.alg && k.alg !== 'Ed25519')) continue;
    try {
      const raw = base64urlDecode(String(k.public_key || ''));
      if (raw.length === 32) ring.set(k.kid, raw);
    } catch { /* a malformed key is no key */ }
  }
  return ring;
}

/**
 * Decodes and verifies a payload. `ring`: a Map (or object) kid → 32-byte public key;
 * `verify(publicKey, signature, message)` → Promise<boolean>. Resolves
 * `{ valid: true, ticket }` or `{ valid: false, reason, ticket? }` — never throws for a bad payload.
 */
export async function verifyTicket(text, ring, verify) {
  let decoded;
  try {
    decoded = decodeTicket(text);
  } catch (err) {
    if (err instanceof TicketCodeError) return { valid: false, reason: err.reason };
    throw err;
  }
  const { ticket, body, signature } = decoded;
  const key = ring instanceof Map ? ring.get(ticket.kid) : ring?.[ticket.kid];
  if (!key) return { valid: false, reason: REASONS.unknownKey, ticket };
  let ok = false;
  try {
    ok = await verify(key, signature, body);
  } catch {
    ok = false;
  }
  return ok ? { valid: true, ticket } : { valid: false, reason: REASONS.signature, ticket };
}
