// Every problem code the server can send (fixtures/problem-codes.json, checked against the Rust
// sources by the server's own test) has a message in both languages, and no message shows the
// buyer an HTTP status. Unknown codes fall back to a generic message by status class.
//   node --test site/tests/unit/
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { messageForCode, problemMessage, fallbackMessage } from '../../src/js/problems.js';

const here = dirname(fileURLToPath(import.meta.url));
const FIXTURE = join(here, '..', '..', '..', 'fixtures', 'problem-codes.json');
const codes = JSON.parse(await readFile(FIXTURE, 'utf8'));

test('the fixture is a sorted list of distinct snake_case codes', () => {
  assert.ok(Array.isArray(codes) && codes.length > 40, `${codes.length} codes`);
  for (const c of codes) assert.match(c, /^[a-z][a-z_]*[a-z]$/, c);
  assert.deepEqual([...codes].sort(), codes, 'sorted');
  assert.equal(new Set(codes).size, codes.length, 'no duplicates');
  for (const c of ['price_changed', 'reset_link_invalid', 'reset_link_expired', 'reset_link_used', 'card_declined', 'buyer_limit']) {
    assert.ok(codes.includes(c), `${c} is listed`);
  }
});

for (const lang of ['pt', 'en']) {
  test(`every code has a ${lang} message without "HTTP" or a leftover placeholder`, () => {
    const missing = codes.filter((c) => !messageForCode(c, lang));
    assert.deepEqual(missing, [], `codes without a ${lang} message`);
    for (const c of codes) {
      const text = messageForCode(c, lang);
      assert.ok(text.trim().length > 10, `${lang} ${c}: "${text}"`);
      assert.doesNotMatch(text, /HTTP|\b[45]\d\d\b/, `${lang} ${c}: no status shown to buyers`);
      assert.doesNotMatch(text, /\{\w+\}/, `${lang} ${c}: a placeholder is left: ${text}`);
    }
  });
}

test('the waiting room’s codes (docs/waiting-room.md) have messages in both languages', () => {
  for (const code of ['admission_required', 'admission_expired', 'not_your_turn', 'queue_off', 'invalid_place_token', 'sold_out']) {
    for (const lang of ['pt', 'en']) {
      const text = messageForCode(code, lang);
      assert.ok(text && text.trim().length > 10, `${lang} ${code}`);
      assert.doesNotMatch(text, /HTTP|\b[45]\d\d\b|\{\w+\}/, `${lang} ${code}: ${text}`);
    }
  }
  assert.match(messageForCode('admission_required', 'pt'), /fila/);
  assert.match(messageForCode('admission_expired', 'en'), /queue/);
});

test('the per-buyer limit is not called "sold out"', () => {
  assert.match(messageForCode('buyer_limit', 'pt'), /limite de ingressos por pessoa/);
  assert.doesNotMatch(messageForCode('buyer_limit', 'pt'), /esgot/i);
  assert.match(messageForCode('buyer_limit', 'en'), /per-person/);
  assert.doesNotMatch(messageForCode('buyer_limit', 'en'), /sold out/i);
});

test('an unknown code falls back by status class, in both languages', () => {
  for (const lang of ['pt', 'en']) {
    const four = problemMessage({ code: 'no_such_code_yet', status: 409 }, { lang });
    const five = problemMessage({ code: 'no_such_code_yet', status: 503 }, { lang });
    const net = problemMessage({ network: true }, { lang });
    assert.equal(four, fallbackMessage(409, lang));
    assert.equal(five, fallbackMessage(500, lang));
    assert.notEqual(four, five);
    for (const text of [four, five, net]) {
      assert.ok(text && text.length > 10);
      assert.doesNotMatch(text, /HTTP|no_such_code/);
    }
  }
  assert.notEqual(fallbackMessage(400, 'pt'), fallbackMessage(400, 'en'));
});

