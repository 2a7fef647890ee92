// Ed25519 signature checks for the gate: WebCrypto first (crypto.subtle, 'Ed25519'), and
// @noble/ed25519 (vendored, loaded only when needed) where the browser refuses the algorithm.
// No DOM: Node's test runner uses it as the browser does.

/** Where the page finds the vendored fallback (dist/js/gate/ → dist/vendor/). */
const NOBLE_URL = new URL('../../vendor/noble-ed25519.mjs', import.meta.url).href;

const view = (b) => (b instanceof Uint8Array ? b : new Uint8Array(b));
const keyId = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

/**
 * A `verify(publicKey, signature, message)` → Promise<boolean> function.
 * Options (for tests): `subtle` (default globalThis.crypto.subtle; null to skip WebCrypto) and
 * `loadFallback` (default: import the vendored @noble/ed25519).
 */
export function createVerifier({ subtle = globalThis.crypto?.subtle ?? null, loadFallback = () => import(NOBLE_URL) } = {}) {
  const keys = new Map();
  let webcrypto = Boolean(subtle);
  let noble = null;

  async function fallback(publicKey, signature, message) {
    noble ??= loadFallback();
    const ed = await noble;
    // RFC 8032 / FIPS 186-5 checks (not ZIP-215), like the server's verifier.
    return ed.verifyAsync(view(signature), view(message), view(publicKey), { zip215: false });
  }

  async function viaWebCrypto(publicKey, signature, message) {
    const id = keyId(publicKey);
    let key = keys.get(id);
    if (!key) {
      key = subtle.importKey('raw', view(publicKey), { name: 'Ed25519' }, false, ['verify']);
      keys.set(id, key);
      key.catch(() => keys.delete(id));
    }
    return subtle.verify({ name: 'Ed25519' }, await key, view(signature), view(message));
  }

  async function verify(publicKey, signature, message) {
    if (view(publicKey).length !== 32 || view(signature).length !== 64) return false;
    if (webcrypto) {
      try {
        return await viaWebCrypto(publicKey, signature, message);
      } catch (err) {
        // NotSupportedError (no Ed25519 in this browser) and the like: use the fallback from now
        // on. A DataError for a malformed key is a refusal.
        if (err?.name === 'DataError') return false;
        webcrypto = false;
      }
    }
    return fallback(publicKey, signature, message);
  }

  /**
   * Finds out now (while the network is there) whether WebCrypto has Ed25519, and fetches the
   * fallback if it does not: the gate may have to verify offline later.
   */
  verify.prepare = async () => {
    if (webcrypto) {
      try {
        await subtle.importKey('raw', RFC8032_KEY, { name: 'Ed25519' }, false, ['verify']);
        return 'webcrypto';
      } catch {
        webcrypto = false;
      }
    }
    noble ??= loadFallback();
    noble.catch(() => { noble = null; });
    await noble;
    return 'noble';
  };
  return verify;
}

/** A valid Ed25519 public key (RFC 8032, test 1), to ask WebCrypto whether it knows the algorithm. */
const RFC8032_KEY = new Uint8Array([
  0xd7, 0x5a, 0x98, 0x01, 0x82, 0xb1, 0x0a, 0xb7, 0xd5, 0x4b, 0xfe, 0xd3, 0xc9, 0x64, 0x07, 0x3a,
  0x0e, 0xe1, 0x72, 0xf3, 0xda, 0xa6, 0x23, 0x25, 0xaf, 0x02, 0x1a, 0x68, 0xf7, 0x07, 0x51, 0x1a,
]);
