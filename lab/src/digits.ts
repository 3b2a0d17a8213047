/** Digits in the page: a drawing pad, MNIST-style preprocessing of what is drawn, and painting 28×28 images. */

/** Pixels of the pad (white ink on black) → 28×28 in [0, 1], as MNIST was made: ink scaled into a 20×20 box, centred by its centre of mass. */
export function toMnist(pad: HTMLCanvasElement): Float32Array | null {
  const { width, height } = pad;
  const src = pad.getContext('2d')!.getImageData(0, 0, width, height).data;
  let [x0, y0, x1, y1] = [width, height, -1, -1];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (src[(y * width + x) * 4] > 20) {
        x0 = Math.min(x0, x);
        y0 = Math.min(y0, y);
        x1 = Math.max(x1, x);
        y1 = Math.max(y1, y);
      }
    }
  }
  if (x1 < 0) return null;
  const box = document.createElement('canvas');
  box.width = 28;
  box.height = 28;
  const b = box.getContext('2d')!;
  const side = Math.max(x1 - x0 + 1, y1 - y0 + 1);
  const scale = 20 / side;
  const w = (x1 - x0 + 1) * scale;
  const h = (y1 - y0 + 1) * scale;
  b.imageSmoothingEnabled = true;
  b.drawImage(pad, x0, y0, x1 - x0 + 1, y1 - y0 + 1, (28 - w) / 2, (28 - h) / 2, w, h);
  const px = b.getImageData(0, 0, 28, 28).data;
  const img = new Float32Array(784);
  let mass = 0;
  let cx = 0;
  let cy = 0;
  for (let i = 0; i < 784; i++) {
    img[i] = px[i * 4] / 255;
    mass += img[i];
    cx += img[i] * (i % 28);
    cy += img[i] * Math.floor(i / 28);
  }
  // Shift so the centre of mass sits at the centre, as in MNIST.
  const dx = Math.round(13.5 - cx / mass);
  const dy = Math.round(13.5 - cy / mass);
  const out = new Float32Array(784);
  for (let y = 0; y < 28; y++) {
    for (let x = 0; x < 28; x++) {
      const sx = x - dx;
      const sy = y - dy;
      if (sx >= 0 && sx < 28 && sy >= 0 && sy < 28) out[y * 28 + x] = img[sy * 28 + sx];
    }
  }
  return out;
}

/** Paints 28×28 greyscale images side by side into `canvas`, each scaled to the canvas height. */
export function paintDigits(canvas: HTMLCanvasElement, images: readonly ArrayLike<number>[]): void {
  const ctx = canvas.getContext('2d')!;
  const cell = canvas.height;
  ctx.fillStyle = '#333';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  const tmp = ctx.createImageData(28, 28);
  const off = document.createElement('canvas');
  off.width = 28;
  off.height = 28;
  images.forEach((img, k) => {
    for (let i = 0; i < 784; i++) {
      const v = Math.round(255 * Math.min(1, Math.max(0, img[i])));
      tmp.data.set([v, v, v, 255], i * 4);
    }
    off.getContext('2d')!.putImageData(tmp, 0, 0);
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(off, k * (cell + 4), 0, cell, cell);
  });
}

/** Makes `pad` a drawing surface: thick white strokes on black; `onStroke` after each stroke. */
export function drawingPad(pad: HTMLCanvasElement, onStroke: () => void): { clear(): void } {
  const ctx = pad.getContext('2d', { willReadFrequently: true })!;
  const clear = () => {
    ctx.fillStyle = '#000';
    ctx.fillRect(0, 0, pad.width, pad.height);
  };
  clear();
  let last: [number, number] | null = null;
  const at = (e: PointerEvent): [number, number] => {
    const r = pad.getBoundingClientRect();
    return [((e.clientX - r.left) * pad.width) / r.width, ((e.clientY - r.top) * pad.height) / r.height];
  };
  pad.addEventListener('pointerdown', (e) => {
    last = at(e);
    pad.setPointerCapture(e.pointerId);
  });
  pad.addEventListener('pointermove', (e) => {
    if (!last) return;
    const p = at(e);
    ctx.strokeStyle = '#fff';
    ctx.lineWidth = pad.width / 12;
    ctx.lineCap = 'round';
    ctx.beginPath();
    ctx.moveTo(...last);
    ctx.lineTo(...p);
    ctx.stroke();
    last = p;
  });
  pad.addEventListener('pointerup', () => {
    last = null;
    onStroke();
  });
  return { clear };
}
