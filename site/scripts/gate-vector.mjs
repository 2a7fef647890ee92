#!/usr/bin/env node
// Writes fixtures/gate/ticket-vector.json: one ticket payload (docs/gate.md, format 1) signed
// with a fixed test key, for the Rust side to decode the same bytes (cross-language agreement).
// Deterministic (Ed25519 signatures are): running it again changes nothing.
// Usage: node scripts/gate-vector.mjs   (site/tests/unit/ticket-code.test.mjs checks the file)
import { writeFile, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { vector } from '../tests/unit/encode.mjs';

const file = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures', 'gate', 'ticket-vector.json');
await mkdir(dirname(file), { recursive: true });
await writeFile(file, `${JSON.stringify(vector(), null, 2)}\n`);
console.log(`wrote ${file}`);
