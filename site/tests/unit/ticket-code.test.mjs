// The gate's ticket payload reader and verifier (site/src/js/gate/ticket-code.js, ed25519.js)
// against payloads built from docs/gate.md with Node's own Ed25519 (encode.mjs), the fixed
// cross-language vector (fixtures/gate/ticket-vector.json), the offline decision
// (gate/decide.js) and the camera's repeat guard. No browser, no server:
//   node --test site/tests/unit/
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  decodeTicket, verifyTicket, keyRing, base64urlDecode, base64urlEncode, REASONS, TicketCodeError, ENTITLEMENTS,
} from '../../src/js/gate/ticket-code.js';
import { createVerifier } from '../../src/js/gate/ed25519.js';
import { decideOffline, applyEntries, batches, entryAfterSync } from '../../src/js/gate/decide.js';
import { RepeatGuard } from '../../src/js/gate/repeat.js';
import { keys as i18nKeys } from '../../src/js/i18n.js';
import {
  key, payload, b64url, body, vector, VECTOR_FIELDS, VECTOR_KID,
} from './encode.mjs';
import { lumaFrame, lumaToRgba, y4mOfQr } from '../e2e/y4m.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const FIXTURE = join(here, '..', '..', '..', 'fixtures', 'gate', 'ticket-vector.json');

const TICKET = {
  kid: 'k2',
  ticketId: 'A1B2C3D4E5F60718293A4B5C6D7E8F90',
  eventId: '0123456789abcdef01234567',
  issuedAt: 1767225600,
  priceType: 'half',
  entitlement: 'senior',
  sector: 'Pista Prémium',
  lot: '2º lote — promoção',
  holderName: 'João Conceição',
};

const signer = key();
const other = key();
const ring = new Map([[TICKET.kid, signer.publicRaw]]);
const webcrypto = createVerifier({ loadFallback: () => { throw new Error('the fallback must not be needed in Node'); } });
const noble = createVerifier({ subtle: null, loadFallback: () => import('@noble/ed25519') });

/** The payload's bytes after the prefix. */
const bytesOf = (qr) => Buffer.from(qr.slice(5), 'base64url');
const withBytes = (bytes) => `BLH1.${b64url(bytes)}`;

for (const [name, verify] of [['WebCrypto', webcrypto], ['@noble/ed25519', noble]]) {
  describe(`verification with ${name}`, () => {
    test('a valid ticket verifies and every field is read (UTF-8 names)', async () => {
      const qr = payload(TICKET, signer.privateKey);
      const r = await verifyTicket(qr, ring, verify);
      assert.equal(r.valid, true, `refused: ${r.reason}`);
      assert.deepEqual(r.ticket, {
        format: 1,
        kid: 'k2',
        ticketId: TICKET.ticketId,
        eventId: TICKET.eventId,
        issuedAt: TICKET.issuedAt,
        priceType: 'half',
        entitlement: 'senior',
        sector: 'Pista Prémium',
        lot: '2º lote — promoção',
        holderName: 'João Conceição',
      });
    });

    test('a full-price ticket without entitlement', async () => {
      const qr = payload({ ...TICKET, priceType: 'full', entitlement: null, holderName: 'Ana' }, signer.privateKey);
      const r = await verifyTicket(qr, ring, verify);
      assert.equal(r.valid, true);
      assert.equal(r.ticket.priceType, 'full');
      assert.equal(r.ticket.entitlement, null);
      assert.equal(r.ticket.holderName, 'Ana');
    });

    test('every entitlement byte maps to its code', async () => {
      for (const code of ENTITLEMENTS.slice(1)) {
        const r = await verifyTicket(payload({ ...TICKET, entitlement: code }, signer.privateKey), ring, verify);
        assert.equal(r.valid, true, code);
        assert.equal(r.ticket.entitlement, code);
      }
    });

    test('any tampered byte is refused', async () => {
      const bytes = bytesOf(payload(TICKET, signer.privateKey));
      // Every byte of the body and some of the signature, flipped one at a time.
      for (let i = 0; i < bytes.length; i += 1) {
        const copy = Buffer.from(bytes);
        copy[i] ^= 0x01;
        const r = await verifyTicket(withBytes(copy), ring, verify);
        assert.equal(r.valid, false, `byte ${i} flipped was accepted`);
      }
    });

    test('a changed holder name (re-encoded, same length) is refused: signature', async () => {
      const good = bytesOf(payload(TICKET, signer.privateKey));
      const forged = Buffer.from(good.toString('latin1').replace('Jo', 'Zo'), 'latin1');
      const r = await verifyTicket(withBytes(forged), ring, verify);
      assert.deepEqual([r.valid, r.reason], [false, REASONS.signature]);
      assert.equal(r.ticket.holderName, 'Zoão Conceição', 'it still parses: only the signature says no');
    });

    test('right kid, other key: refused', async () => {
      const qr = payload(TICKET, other.privateKey);
      const r = await verifyTicket(qr, ring, verify);
      assert.deepEqual([r.valid, r.reason], [false, REASONS.signature]);
    });

    test('unknown kid: refused', async () => {
      const qr = payload({ ...TICKET, kid: 'k9' }, signer.privateKey);
      const r = await verifyTicket(qr, ring, verify);
      assert.deepEqual([r.valid, r.reason], [false, REASONS.unknownKey]);
      assert.equal(r.ticket.kid, 'k9');
    });

    test('several keys: the kid picks the key (rotation)', async () => {
      const both = new Map([['k1', other.publicRaw], ['k2', signer.publicRaw]]);
      assert.equal((await verifyTicket(payload(TICKET, signer.privateKey), both, verify)).valid, true);
      assert.equal((await verifyTicket(payload({ ...TICKET, kid: 'k1' }, other.privateKey), both, verify)).valid, true);
      assert.equal((await verifyTicket(payload({ ...TICKET, kid: 'k1' }, signer.privateKey), both, verify)).valid, false);
    });
  });
}

describe('the payload reader refuses', () => {
  const good = payload(TICKET, signer.privateKey);
  const reasonOf = (qr) => {
    try {
      decodeTicket(qr);
    } catch (err) {
      assert.ok(err instanceof TicketCodeError, String(err));
      return err.reason;
    }
    return null;
  };

  test('a truncated payload, at any length', () => {
    const bytes = bytesOf(good);
    for (let n = 0; n < bytes.length; n += 1) {
      assert.equal(reasonOf(withBytes(bytes.subarray(0, n))), REASONS.truncated, `cut at ${n}`);
    }
  });

  test('a byte after the signature', () => {
    assert.equal(reasonOf(payload(TICKET, signer.privateKey, { tail: [0] })), REASONS.trailing);
    assert.equal(reasonOf(payload(TICKET, signer.privateKey, { tail: [1, 2, 3] })), REASONS.trailing);
  });

  test('another prefix', () => {
    const rest = good.slice(5);
    for (const p of ['BLH2.', 'blh1.', 'BLH1', 'BLH1:', '', ' BLH', 'XBLH1.']) {
      assert.equal(reasonOf(p + rest), REASONS.prefix, JSON.stringify(p));
    }
    assert.equal(reasonOf(null), REASONS.prefix);
  });

  test('bad base64url: padding, the standard alphabet, stray characters, a lone last character, non-canonical bits', () => {
    const rest = good.slice(5);
    assert.equal(reasonOf(`BLH1.${rest}=`), REASONS.base64);
    assert.equal(reasonOf(`BLH1.${rest.replace(/-/g, '+').replace(/_/g, '/')}+`), REASONS.base64);
    assert.equal(reasonOf(`BLH1.${rest.slice(0, 10)} ${rest.slice(10)}`), REASONS.base64);
    let lone = rest;
    while (lone.length % 4 !== 1) lone += 'A';
    assert.equal(reasonOf(`BLH1.${lone}`), REASONS.base64);
    // 'AB' decodes one byte with the low 4 bits of 'B' set: not the canonical 'AA'.
    assert.throws(() => base64urlDecode('AB'), (e) => e.reason === REASONS.base64);
    assert.deepEqual([...base64urlDecode('AA')], [0]);
  });

  test('a format other than 1', () => {
    assert.equal(reasonOf(payload(TICKET, signer.privateKey, { raw: { format: 2 } })), REASONS.format);
    assert.equal(reasonOf(payload(TICKET, signer.privateKey, { raw: { format: 0 } })), REASONS.format);
  });

  test('a key id of 0 or more than 16 bytes, or not printable ASCII', () => {
    assert.equal(reasonOf(payload({ ...TICKET, kid: '' }, signer.privateKey)), REASONS.garbled);
    assert.equal(reasonOf(payload({ ...TICKET, kid: 'k'.repeat(17) }, signer.privateKey)), REASONS.garbled);
    assert.equal(decodeTicket(payload({ ...TICKET, kid: 'k'.repeat(16) }, signer.privateKey)).ticket.kid, 'k'.repeat(16));
    assert.equal(reasonOf(payload({ ...TICKET, kid: 'k 2' }, signer.privateKey)), REASONS.garbled);
  });

  test('price type or entitlement out of range', () => {
    assert.equal(reasonOf(payload(TICKET, signer.privateKey, { raw: { priceByte: 2 } })), REASONS.garbled);
    assert.equal(reasonOf(payload(TICKET, signer.privateKey, { raw: { entitlementByte: 6 } })), REASONS.garbled);
  });

  test('a name longer than 48 bytes, or not UTF-8 (48 bytes is fine)', () => {
    const name48 = 'ã'.repeat(24); // 48 bytes
    assert.equal(decodeTicket(payload({ ...TICKET, holderName: name48 }, signer.privateKey)).ticket.holderName, name48);
    assert.equal(reasonOf(payload({ ...TICKET, holderName: `${name48}a` }, signer.privateKey)), REASONS.garbled);
    assert.equal(reasonOf(payload({ ...TICKET, sector: 'x'.repeat(49) }, signer.privateKey)), REASONS.garbled);
    assert.equal(reasonOf(payload(TICKET, signer.privateKey, { raw: { lot: Buffer.from([0xc3, 0x28]) } })), REASONS.garbled);
    assert.equal(reasonOf(payload(TICKET, signer.privateKey, { raw: { holder: Buffer.from([0xe2, 0x82]) } })), REASONS.garbled);
  });

  test('a length byte that overruns the payload', () => {
    // The holder's length says 48 but fewer bytes follow before the signature: the signature is
    // read short (truncated), never past the end.
    const b = body(TICKET);
    const holderAt = b.length - Buffer.byteLength(TICKET.holderName) - 1;
    const broken = Buffer.from(b);
    broken[holderAt] = 48;
    assert.equal(reasonOf(withBytes(Buffer.concat([broken, Buffer.alloc(20)]))), REASONS.truncated);
  });

  test('verifyTicket answers (never throws) for garbage', async () => {
    for (const junk of ['', 'hello', 'BLH1.', 'BLH1.%%%', `BLH1.${'A'.repeat(400)}`, 'https://example.com/?t=BLH1.abc']) {
      const r = await verifyTicket(junk, ring, webcrypto);
      assert.equal(r.valid, false, junk);
      assert.ok(Object.values(REASONS).includes(r.reason), `${junk}: ${r.reason}`);
    }
  });
});

describe('helpers', () => {
  test('base64url round trip', () => {
    for (let n = 0; n < 70; n += 1) {
      const bytes = new Uint8Array(Array.from({ length: n }, (_, i) => (i * 37 + n) & 0xff));
      const text = base64urlEncode(bytes);
      assert.equal(text, Buffer.from(bytes).toString('base64url'));
      assert.deepEqual([...base64urlDecode(text)], [...bytes]);
    }
  });

  test('keyRing takes the API key list, leaves out what is not an Ed25519 32-byte key', () => {
    const r = keyRing([
      { kid: 'k2', alg: 'Ed25519', public_key: b64url(signer.publicRaw), signing: true },
      { kid: 'k1', alg: 'Ed25519', public_key: b64url(other.publicRaw), signing: false },
      { kid: 'short', alg: 'Ed25519', public_key: 'AAAA' },
      { kid: 'rsa', alg: 'RS256', public_key: b64url(signer.publicRaw) },
      { kid: 'bad', public_key: '***' },
      null,
    ]);
    assert.deepEqual([...r.keys()].sort(), ['k1', 'k2']);
    assert.deepEqual([...r.get('k2')], [...signer.publicRaw]);
    assert.equal(keyRing(undefined).size, 0);
  });

  test('the verifier falls back to @noble/ed25519 when WebCrypto has no Ed25519', async () => {
    let loaded = 0;
    const refusing = {
      importKey: async () => { throw new DOMException('Unrecognized name', 'NotSupportedError'); },
      verify: async () => { throw new Error('not reached'); },
    };
    const v = createVerifier({ subtle: refusing, loadFallback: () => { loaded += 1; return import('@noble/ed25519'); } });
    assert.equal((await verifyTicket(payload(TICKET, signer.privateKey), ring, v)).valid, true);
    assert.equal((await verifyTicket(payload(TICKET, other.privateKey), ring, v)).valid, false);
    assert.equal(loaded, 1, 'loaded once');
  });

  test('prepare() tells which implementation answers, fetching the fallback only when needed', async () => {
    assert.equal(await createVerifier({ loadFallback: () => { throw new Error('not needed'); } }).prepare(), 'webcrypto');
    let loaded = 0;
    const none = createVerifier({ subtle: null, loadFallback: () => { loaded += 1; return import('@noble/ed25519'); } });
    assert.equal(await none.prepare(), 'noble');
    assert.equal(loaded, 1);
    assert.equal((await verifyTicket(payload(TICKET, signer.privateKey), ring, none)).valid, true);
    assert.equal(loaded, 1, 'fetched once');
  });

  test('the verifier refuses wrong sizes without calling anything', async () => {
    assert.equal(await webcrypto(new Uint8Array(31), new Uint8Array(64), new Uint8Array(1)), false);
    assert.equal(await webcrypto(signer.publicRaw, new Uint8Array(63), new Uint8Array(1)), false);
  });
});

describe('the cross-language vector (fixtures/gate/ticket-vector.json)', () => {
  test('the file is what the spec encoder writes (regenerate: node site/scripts/gate-vector.mjs)', async () => {
    const file = JSON.parse(await readFile(FIXTURE, 'utf8'));
    assert.deepEqual(file, vector());
  });

  test('it verifies with its public key and decodes to its fields', async () => {
    const v = JSON.parse(await readFile(FIXTURE, 'utf8'));
    assert.equal(v.kid, VECTOR_KID);
    const r = await verifyTicket(v.qr, keyRing([{ kid: v.kid, alg: 'Ed25519', public_key: v.public_key }]), webcrypto);
    assert.equal(r.valid, true, r.reason);
    const f = v.fields;
    assert.deepEqual(f, VECTOR_FIELDS);
    assert.match(f.ticket_id, /^[0-9A-F]{32}$/);
    assert.match(f.event_id, /^[0-9a-f]{24}$/);
    assert.deepEqual({
      ticket_id: r.ticket.ticketId, event_id: r.ticket.eventId, issued_at: r.ticket.issuedAt, price_type: r.ticket.priceType,
      entitlement: r.ticket.entitlement, sector: r.ticket.sector, lot: r.ticket.lot, holder_name: r.ticket.holderName,
    }, f);
    assert.equal((await verifyTicket(v.qr, keyRing([{ kid: v.kid, public_key: v.public_key }]), noble)).valid, true);
  });
});

describe('the offline decision', () => {
  const qr = payload(TICKET, signer.privateKey);
  const ev = TICKET.eventId;
  const decide = async (extra, text = qr) => decideOffline({ verified: await verifyTicket(text, ring, webcrypto), eventId: ev, ...extra });

  test('bad signature, unknown kid, garbled → invalid', async () => {
    assert.equal((await decide({}, payload(TICKET, other.privateKey))).outcome, 'invalid');
    assert.equal((await decide({}, payload({ ...TICKET, kid: 'zz' }, signer.privateKey))).outcome, 'invalid');
    assert.equal((await decide({}, 'BLH1.AAAA')).outcome, 'invalid');
  });

  test('a real ticket of another event → wrong_event', async () => {
    const d = decideOffline({ verified: await verifyTicket(qr, ring, webcrypto), eventId: 'ffffffffffffffffffffffff' });
    assert.equal(d.outcome, 'wrong_event');
  });

  test('revoked in the manifest → revoked with the reason', async () => {
    const d = await decide({ entry: { id: TICKET.ticketId, state: 'revoked', reason: 'transferred' } });
    assert.deepEqual([d.outcome, d.reason], ['revoked', 'transferred']);
  });

  test('used in the manifest, or scanned on this device → already_used with time and gate', async () => {
    const used = await decide({ entry: { id: TICKET.ticketId, state: 'used', checked_in_at: '2026-03-01T00:04:00Z', gate: 'Norte' } });
    assert.deepEqual([used.outcome, used.checkedInAt, used.gate], ['already_used', '2026-03-01T00:04:00Z', 'Norte']);
    const here = await decide({ entry: { id: TICKET.ticketId, state: 'valid' }, local: { scanned_at: '2026-03-01T00:05:00Z', gate: 'Sul' } });
    assert.deepEqual([here.outcome, here.checkedInAt, here.gate], ['already_used', '2026-03-01T00:05:00Z', 'Sul']);
    const unlistedHere = await decide({ local: { scanned_at: '2026-03-01T00:05:00Z', gate: 'Sul' } });
    assert.equal(unlistedHere.outcome, 'already_used');
  });

  test('valid in the manifest → accepted; not in it but signed → accepted, flagged', async () => {
    const ok = await decide({ entry: { id: TICKET.ticketId, state: 'valid' } });
    assert.deepEqual([ok.outcome, ok.unlisted], ['accepted', false]);
    assert.equal(ok.ticket.holderName, 'João Conceição');
    const unlisted = await decide({});
    assert.deepEqual([unlisted.outcome, unlisted.unlisted], ['accepted', true]);
  });

  test('manifest entries apply by id, last one wins', () => {
    const m = applyEntries(new Map(), [
      { id: 'aa', state: 'valid' }, { id: 'BB', state: 'valid' }, { id: 'AA', state: 'used', gate: 'Norte' }, { state: 'used' },
    ]);
    assert.deepEqual([...m.keys()], ['AA', 'BB']);
    assert.equal(m.get('AA').state, 'used');
  });

  test('scans go in batches of at most 1,000', () => {
    const items = Array.from({ length: 2501 }, (_, i) => i);
    assert.deepEqual(batches(items).map((b) => b.length), [1000, 1000, 501]);
    assert.deepEqual(batches([]), []);
  });

  test('what a sync result makes of the local entry', () => {
    const scan = { ticket_id: 'AA', scanned_at: '2026-03-01T00:04:00.000Z', gate: 'Sul' };
    for (const outcome of ['checked_in', 'duplicate', 'conflict']) {
      assert.deepEqual(entryAfterSync(scan, outcome, { id: 'AA', state: 'valid' }), { id: 'AA', state: 'used', reason: null, checked_in_at: scan.scanned_at, gate: 'Sul' });
    }
    const first = { id: 'AA', state: 'used', checked_in_at: '2026-03-01T00:01:00Z', gate: 'Norte' };
    assert.equal(entryAfterSync(scan, 'conflict', first), first, 'the first entry stays');
    assert.equal(entryAfterSync(scan, 'revoked', { id: 'AA', state: 'revoked', reason: 'refunded' }).reason, 'refunded');
    assert.equal(entryAfterSync(scan, 'unknown', null), null);
  });
});

test('the camera reports a payload once while it stays in view', () => {
  const g = new RepeatGuard(2000);
  assert.equal(g.accept('A', 0), true);
  assert.equal(g.accept('A', 100), false);
  assert.equal(g.accept('A', 1900), false);
  assert.equal(g.accept('A', 3800), false, 'seen at 1900: still in view');
  assert.equal(g.accept('A', 6000), true, 'out of view for more than 2 s');
  assert.equal(g.accept('B', 6100), true);
  assert.equal(g.accept('A', 6200), true, 'another ticket came between');
  g.touch(9000);
  assert.equal(g.accept('A', 10000), false, 'handled until 9000: still the same sighting');
  g.rearm();
  assert.equal(g.accept('A', 10100), true, '"next scan"');
  assert.equal(g.accept('', 0), false);
});

test('both languages have the same i18n keys', () => {
  const pt = i18nKeys('pt');
  const en = new Set(i18nKeys('en'));
  assert.ok(pt.length > 100);
  assert.deepEqual(pt.filter((k) => !en.has(k)), [], 'missing in English');
  assert.deepEqual([...en].filter((k) => !pt.includes(k)), [], 'missing in Portuguese');
});

test('the e2e camera video: a Y4M frame of the QR that jsQR reads back (needs `npm run build`)', async (t) => {
  const wrapped = join(here, '..', '..', 'dist', 'vendor', 'jsqr.mjs');
  if (!existsSync(wrapped)) { t.skip('dist/vendor/jsqr.mjs not built'); return; }
  const { default: jsQR } = await import(pathToFileURL(wrapped).href);
  assert.equal(typeof jsQR, 'function', 'the vendored ES module exports the decoder');
  const qr = payload(TICKET, signer.privateKey);
  const { y, cell } = lumaFrame(qr);
  assert.ok(cell >= 6, `modules of ${cell} px`);
  const read = jsQR(lumaToRgba(y), 640, 480);
  assert.equal(read?.data, qr);
  const file = y4mOfQr(qr, { frames: 2 });
  const header = 'YUV4MPEG2 W640 H480 F10:1 Ip A1:1 C420jpeg\n';
  assert.equal(file.subarray(0, header.length).toString(), header);
  assert.equal(file.length, header.length + 2 * (6 + 640 * 480 * 1.5));
});
