// The gate's camera: the environment-facing camera through getUserMedia, decoded with the
// browser's BarcodeDetector when it reads 'qr_code', else with jsQR (vendored, loaded only then).
// Each payload is reported once while it stays in view (RepeatGuard).
import { RepeatGuard } from './repeat.js';

const JSQR_URL = new URL('../../vendor/jsqr.mjs', import.meta.url).href;
/** Pause between two decodes (the decoder is the costly part on a phone). */
const FRAME_GAP_MS = 120;
/** The longest side of the frame given to jsQR (a QR of ≥ 6 px modules stays readable). */
const MAX_SIDE = 800;

let jsqr = null;
/** The vendored jsQR module (fetched once; a failed fetch is tried again next time). */
function loadJsQR() {
  jsqr ??= import(JSQR_URL).catch((err) => { jsqr = null; throw err; });
  return jsqr;
}

/** True when the browser's BarcodeDetector reads QR codes. */
async function nativeQr() {
  const Detector = globalThis.BarcodeDetector;
  if (typeof Detector !== 'function') return false;
  try {
    return (await Detector.getSupportedFormats()).includes('qr_code');
  } catch {
    return false;
  }
}

/**
 * Fetches what decoding will need (jsQR where there is no native QR reader) while the network
 * is there: the camera may well be started offline.
 */
export async function prepareDecoder() {
  if (!(await nativeQr())) await loadJsQR();
}

/** A decoder: { kind: 'native' | 'jsqr', decode(video) → Promise<string | null> }. */
export async function createDecoder() {
  if (await nativeQr()) {
    try {
      const detector = new globalThis.BarcodeDetector({ formats: ['qr_code'] });
      return {
        kind: 'native',
        async decode(source) {
          const found = await detector.detect(source);
          return found.find((c) => c.rawValue)?.rawValue || null;
        },
      };
    } catch { /* fall back to jsQR */ }
  }
  const { default: jsQR } = await loadJsQR();
  const canvas = document.createElement('canvas');
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  return {
    kind: 'jsqr',
    async decode(video) {
      const w0 = video.videoWidth;
      const h0 = video.videoHeight;
      if (!w0 || !h0) return null;
      const scale = Math.min(1, MAX_SIDE / Math.max(w0, h0));
      const w = Math.round(w0 * scale);
      const h = Math.round(h0 * scale);
      if (canvas.width !== w || canvas.height !== h) { canvas.width = w; canvas.height = h; }
      ctx.drawImage(video, 0, 0, w, h);
      const img = ctx.getImageData(0, 0, w, h);
      return jsQR(img.data, w, h, { inversionAttempts: 'attemptBoth' })?.data || null;
    },
  };
}

/** Why the camera could not start, as a stable code (translated by the page as gate.camera.<code>). */
export function cameraErrorCode(err) {
  if (err?.code === 'insecure') return 'insecure';
  switch (err?.name) {
    case 'NotAllowedError': case 'SecurityError': return 'denied';
    case 'NotFoundError': case 'OverconstrainedError': return 'none';
    case 'NotReadableError': case 'AbortError': return 'busy';
    default: return 'failed';
  }
}

/**
 * Starts the camera into `video` and calls `onCode(text)` (→ false if it could not take it now)
 * for each new payload. Resolves a
 * controller { kind, stop(), rearm() }; rejects when there is no camera or it is refused.
 */
export async function startCamera(video, onCode) {
  if (!navigator.mediaDevices?.getUserMedia) throw Object.assign(new Error('camera needs a secure context'), { code: 'insecure' });
  const stream = await navigator.mediaDevices.getUserMedia({
    audio: false,
    video: { facingMode: { ideal: 'environment' }, width: { ideal: 1280 }, height: { ideal: 720 } },
  });
  let stopped = false;
  let timer = null;
  const guard = new RepeatGuard();
  const stop = () => {
    stopped = true;
    clearTimeout(timer);
    for (const track of stream.getTracks()) track.stop();
    video.srcObject = null;
  };
  try {
    video.muted = true;
    video.playsInline = true;
    video.setAttribute('playsinline', '');
    video.srcObject = stream;
    await video.play();
  } catch (err) {
    stop();
    throw err;
  }
  let decoder;
  try {
    decoder = await createDecoder();
  } catch (err) {
    stop();
    throw err;
  }
  const loop = async () => {
    if (stopped) return;
    try {
      if (video.readyState >= 2 && !document.hidden) {
        const text = await decoder.decode(video);
        if (!stopped && text && guard.accept(text)) {
          // false: the page was busy with another scan — read this one again.
          if ((await onCode(text)) === false) guard.rearm(); else guard.touch();
        }
      }
    } catch (err) {
      console.warn('gate: decode failed', err);
    }
    if (!stopped) timer = setTimeout(loop, FRAME_GAP_MS);
  };
  loop();
  return { kind: decoder.kind, stop, rearm: () => guard.rearm() };
}
