// A ticket payload encoder for the tests, written from docs/gate.md ("The QR payload
// (format 1)") independently of the site's reader, with Node's own Ed25519 — so the tests
// check the reader against the spec, not against itself. Every field can be overridden with
// raw bytes to build broken payloads.
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign } from 'node:crypto';

/** PKCS #8 DER header of an Ed25519 private key; the 32-byte seed follows. */
const PKCS8_ED25519 = Buffer.from('302e020100300506032b657004220420', 'hex');

export const ENTITLEMENT_BYTE = { none: 0, student: 1, senior: 2, disability: 3, low_income_youth: 4, teacher: 5 };

export const b64url = (buf) => Buffer.from(buf).toString('base64url');

/** An Ed25519 key from a 32-byte seed (deterministic) or a fresh one: { privateKey, publicRaw }. */
export function key(seed = null) {
  const privateKey = seed
    ? createPrivateKey({ key: Buffer.concat([PKCS8_ED25519, Buffer.from(seed)]), format: 'der', type: 'pkcs8' })
    : generateKeyPairSync('ed25519').privateKey;
  const spki = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
  return { privateKey, publicRaw: new Uint8Array(spki.subarray(spki.length - 32)) };
}

const text = (s, raw) => {
  const bytes = raw ?? Buffer.from(s, 'utf8');
  return Buffer.concat([Buffer.from([bytes.length]), bytes]);
};

/**
 * The body bytes of a ticket. `t`: { kid, ticketId (32 hex), eventId (24 hex), issuedAt,
 * priceType 'full'|'half', entitlement code|null, sector, lot, holderName }; `raw`: byte
 * overrides ({ format, kidLength, priceByte, entitlementByte, sector/lot/holder: Buffer }).
 */
export function body(t, raw = {}) {
  const kid = Buffer.from(t.kid, 'ascii');
  const at = Buffer.alloc(4);
  at.writeUInt32BE(t.issuedAt);
  return Buffer.concat([
    Buffer.from([raw.format ?? 1]),
    Buffer.from([raw.kidLength ?? kid.length]), kid,
    Buffer.from(t.ticketId, 'hex'),
    Buffer.from(t.eventId, 'hex'),
    at,
    Buffer.from([raw.priceByte ?? (t.priceType === 'half' ? 1 : 0)]),
    Buffer.from([raw.entitlementByte ?? ENTITLEMENT_BYTE[t.entitlement ?? 'none']]),
    text(t.sector, raw.sector),
    text(t.lot, raw.lot),
    text(t.holderName, raw.holder),
  ]);
}

/** `BLH1.` + base64url(body || Ed25519(body)); `tail` appends bytes after the signature. */
export function payload(t, privateKey, { raw, tail, prefix = 'BLH1.' } = {}) {
  const b = body(t, raw);
  const sig = sign(null, b, privateKey);
  return prefix + b64url(Buffer.concat([b, sig, tail ? Buffer.from(tail) : Buffer.alloc(0)]));
}

/** The fixed cross-language vector (fixtures/gate/ticket-vector.json): same seed, same bytes. */
export const VECTOR_SEED = Buffer.from('6269c3b4686574657269612d676174652d746573742d766563746f722d2d2d31', 'hex');
export const VECTOR_FIELDS = {
  ticket_id: '9F86D081884C7D659A2FEAA0C55AD015',
  event_id: '65f1c0a4b2d3e4f5a6b7c8d9',
  issued_at: 1767225600,
  price_type: 'half',
  entitlement: 'student',
  sector: 'Pista Prémium',
  lot: '1º lote',
  holder_name: 'João da Silva',
};
export const VECTOR_KID = 'test-2026';

export function vector() {
  const k = key(VECTOR_SEED);
  const f = VECTOR_FIELDS;
  const qr = payload({
    kid: VECTOR_KID, ticketId: f.ticket_id, eventId: f.event_id, issuedAt: f.issued_at, priceType: f.price_type,
    entitlement: f.entitlement, sector: f.sector, lot: f.lot, holderName: f.holder_name,
  }, k.privateKey);
  return {
    kid: VECTOR_KID,
    public_key: b64url(k.publicRaw),
    // Test-only key: the Ed25519 seed (base64url, 32 bytes), so a signer can check it writes these exact bytes.
    seed: b64url(VECTOR_SEED),
    qr,
    fields: { ...f },
  };
}
