// A QR code as a Y4M video, for Chromium's fake camera (--use-file-for-fake-video-capture):
// `YUV4MPEG2 W640 H480 F10:1 Ip A1:1 C420jpeg`, then frames of a Y plane (QR modules 16, white
// 235, the quiet zone and the rest white) and U, V planes of 128 (no colour). No browser here:
// the unit tests decode the frame with jsQR too.
import qrcode from 'qrcode-generator';

/** The QR's modules: rows of booleans (true = dark). */
export function qrMatrix(text, ecl = 'M') {
  const qr = qrcode(0, ecl);
  qr.addData(String(text));
  qr.make();
  const n = qr.getModuleCount();
  return Array.from({ length: n }, (_, r) => Array.from({ length: n }, (_, c) => qr.isDark(r, c)));
}

/**
 * The Y (luma) plane of one frame: the QR centred with a quiet zone of `quiet` modules, each
 * module `cell` px (the largest that fits; at least `minCell`). { y, cell, size }.
 */
export function lumaFrame(text, { width = 640, height = 480, quiet = 4, minCell = 6, ecl = 'M' } = {}) {
  const m = qrMatrix(text, ecl);
  const n = m.length;
  const cell = Math.floor(Math.min(width, height) / (n + 2 * quiet));
  if (cell < minCell) throw new Error(`QR of ${n} modules: ${cell} px modules in ${width}×${height} (want ≥ ${minCell})`);
  const size = n * cell;
  const x0 = Math.floor((width - size) / 2);
  const y0 = Math.floor((height - size) / 2);
  const y = Buffer.alloc(width * height, 235);
  for (let r = 0; r < n; r += 1) {
    for (let c = 0; c < n; c += 1) {
      if (!m[r][c]) continue;
      for (let dy = 0; dy < cell; dy += 1) {
        const row = (y0 + r * cell + dy) * width + x0 + c * cell;
        y.fill(16, row, row + cell);
      }
    }
  }
  return { y, cell, size, modules: n };
}

/** The whole Y4M file (a few identical frames; Chromium loops it). */
export function y4mOfQr(text, { width = 640, height = 480, frames = 4, ...opts } = {}) {
  const { y } = lumaFrame(text, { width, height, ...opts });
  const chroma = Buffer.alloc((width / 2) * (height / 2), 128);
  const frame = Buffer.concat([Buffer.from('FRAME\n'), y, chroma, chroma]);
  return Buffer.concat([Buffer.from(`YUV4MPEG2 W${width} H${height} F10:1 Ip A1:1 C420jpeg\n`), ...Array(frames).fill(frame)]);
}

/** RGBA pixels of the Y plane (grey), e.g. for jsQR. */
export function lumaToRgba(y) {
  const out = new Uint8ClampedArray(y.length * 4);
  for (let i = 0; i < y.length; i += 1) {
    out[i * 4] = out[i * 4 + 1] = out[i * 4 + 2] = y[i];
    out[i * 4 + 3] = 255;
  }
  return out;
}
