/**
 * A drawing turned into an MNIST input, the way MNIST's own digits were made (LeCun et al.):
 * the ink's bounding box scaled, keeping its aspect ratio, to fit a 20×20 box (with
 * anti-aliasing: each target pixel is the mean of the source area it covers), then placed in
 * a 28×28 field so that the centre of mass of the ink sits at the field's centre.
 */

/** MNIST's field and the box the digit is scaled into. */
export const FIELD = 28;
export const BOX = 20;
/** Source intensities at or below this count as background when finding the ink's extent. */
const INK = 0.05;

/**
 * The 28×28 MNIST input (row-major, [0, 1]) for a `width`×`height` image of ink intensities
 * in [0, 1] (1 = ink). A blank image gives all zeros.
 *
 * @example
 * const src = new Float32Array(100 * 100);
 * for (let y = 10; y < 90; y++) src[y * 100 + 50] = 1; // a thin vertical line
 * const x = toMnist(src, 100, 100);                    // a 20-pixel-tall line at column ~13
 */
export function toMnist(src: ArrayLike<number>, width: number, height: number): Float32Array {
  if (src.length !== width * height) throw new Error(`toMnist: expected ${width}×${height} = ${width * height} intensities, got ${src.length}`);
  const out = new Float32Array(FIELD * FIELD);
  // The ink's bounding box.
  let x0 = width,
    y0 = height,
    x1 = -1,
    y1 = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (src[y * width + x] > INK) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
    }
  }
  if (x1 < 0) return out;
  const bw = x1 - x0 + 1,
    bh = y1 - y0 + 1;
  const scale = BOX / Math.max(bw, bh);
  const tw = Math.max(1, Math.round(bw * scale)),
    th = Math.max(1, Math.round(bh * scale));
  // Area-average resampling, by supersampling each target pixel on a k×k grid of source points.
  const k = Math.min(16, Math.max(2, Math.ceil(1 / scale)));
  const box = new Float32Array(tw * th);
  for (let ty = 0; ty < th; ty++) {
    for (let tx = 0; tx < tw; tx++) {
      let sum = 0;
      for (let j = 0; j < k; j++) {
        const sy = Math.min(y1, Math.floor(y0 + (ty + (j + 0.5) / k) * (bh / th)));
        for (let i = 0; i < k; i++) {
          const sx = Math.min(x1, Math.floor(x0 + (tx + (i + 0.5) / k) * (bw / tw)));
          sum += src[sy * width + sx];
        }
      }
      box[ty * tw + tx] = sum / (k * k);
    }
  }
  // Centre of mass of the scaled ink (pixel centres at i + 0.5), moved to the field's centre.
  let mass = 0,
    mx = 0,
    my = 0;
  for (let ty = 0; ty < th; ty++) {
    for (let tx = 0; tx < tw; tx++) {
      const v = box[ty * tw + tx];
      mass += v;
      mx += v * (tx + 0.5);
      my += v * (ty + 0.5);
    }
  }
  const ox = Math.round(FIELD / 2 - mx / mass),
    oy = Math.round(FIELD / 2 - my / mass);
  for (let ty = 0; ty < th; ty++) {
    const y = ty + oy;
    if (y < 0 || y >= FIELD) continue;
    for (let tx = 0; tx < tw; tx++) {
      const x = tx + ox;
      if (x >= 0 && x < FIELD) out[y * FIELD + x] = Math.min(1, box[ty * tw + tx]);
    }
  }
  return out;
}
