/** Architecture presets and JSON specs: the shapes they give, their validation, and the configuration they build. */
import { describe, expect, it } from 'vitest';
import { createConfig, parameterCount } from '../../packages/predictive-coding/src/core/index.ts';
import { architecture, architectureConfig, architectureOf, describeArchitecture, parseArchitecture } from '../../packages/predictive-coding/src/train/index.ts';

const mnist = { shape: [28, 28, 1] as const, classes: 10 };
const cifar = { shape: [32, 32, 3] as const, classes: 10 };

describe('architecture presets', () => {
  it('mlp is 784-128-128-128-10, the old default', () => {
    expect(architectureConfig(architecture('mlp', mnist)).sizes).toEqual([784, 128, 128, 128, 10]);
  });

  it('cnn: two conv 3×3 + 2×2 max-pool blocks on 28×28 grey images, then dense 128 and the classes', () => {
    const c = architectureConfig(architecture('cnn', mnist));
    expect(c.shapes).toEqual([
      [28, 28, 1],
      [14, 14, 32],
      [7, 7, 64],
      [1, 1, 128],
      [1, 1, 10],
    ]);
    expect(describeArchitecture(c)[0]).toBe('x_1 [14, 14, 32] ← conv2d 3×3 ×32 pad 1 + max-pool 2');
  });

  it('cnn-cifar: three blocks on 32×32 colour images', () => {
    expect(architectureConfig(architecture('cnn-cifar', cifar)).shapes.map((s) => s.join('x'))).toEqual([
      '32x32x3',
      '16x16x32',
      '8x8x64',
      '4x4x128',
      '1x1x128',
      '1x1x10',
    ]);
  });

  it('resmlp: input projection, depth − 2 residual layers, readout, μPC by default; its scales follow depth and width', () => {
    const c = architectureConfig(architecture('resmlp', mnist, { depth: 5, width: 16 }));
    expect(c.sizes).toEqual([784, 16, 16, 16, 16, 10]);
    expect(c.layers.map((s) => s.residual === true)).toEqual([false, true, true, true, false]);
    expect(c.parameterisation).toBe('mupc');
    expect(c.scales).toEqual([1 / 28, 1 / Math.sqrt(16 * 5), 1 / Math.sqrt(16 * 5), 1 / Math.sqrt(16 * 5), 1 / 16]);
    expect(architectureConfig(architecture('resmlp', mnist, { depth: 5, width: 16, parameterisation: 'standard' })).scales).toEqual([1, 1, 1, 1, 1]);
    expect(() => architecture('resmlp', mnist, { depth: 2 })).toThrow(/resmlp: depth must be an integer from 3/);
    expect(() => architecture('resmlp', mnist, { width: 0.5 })).toThrow(/resmlp: width must be an integer/);
  });

  it('refuses an unknown preset, naming the choices', () => {
    expect(() => architecture('vgg' as 'mlp', mnist)).toThrow(/'mlp', 'cnn', 'cnn-cifar' or 'resmlp'/);
  });

  it('a preset’s conv layers do not fit another image size, and say so naming the layer', () => {
    expect(() => architectureConfig(architecture('cnn-cifar', { shape: [4, 4, 3], classes: 10 }))).toThrow(/layers\[2\]/);
  });
});

describe('architectures from JSON', () => {
  it('takes the data’s input shape and classes where left out, and round-trips through architectureOf', () => {
    const spec = parseArchitecture(
      { layers: [{ kind: 'conv2d', channels: 4, kernel: 3, padding: 1, pool: { kind: 'avg', size: 2 } }, { kind: 'dense' }] },
      mnist,
      'net.json',
    );
    const c = architectureConfig(spec);
    expect(c.sizes).toEqual([784, 784, 10]);
    expect(architectureConfig(architectureOf(c))).toEqual(c);
  });

  it('refuses unknown fields, an empty layer list, a bad parameterisation and bad specs, naming the file', () => {
    expect(() => parseArchitecture({ layers: [{ kind: 'dense' }], depth: 3 }, mnist, 'net.json')).toThrow(/net.json: unknown field 'depth'/);
    expect(() => parseArchitecture({ layers: [] }, mnist, 'net.json')).toThrow(/net.json: layers must list at least one layer spec/);
    expect(() => parseArchitecture([], mnist, 'net.json')).toThrow(/net.json/);
    expect(() => parseArchitecture({ layers: [{ kind: 'dense' }], parameterisation: 'mup' }, mnist, 'net.json')).toThrow(/net.json: parameterisation/);
    expect(() => architectureConfig(parseArchitecture({ layers: [{ kind: 'dense', units: 8, colour: 1 }, { kind: 'dense' }] }, mnist, 'net.json'))).toThrow(
      /unknown field 'colour'/,
    );
  });
});

describe('parameter counts by kind', () => {
  it('count a convolution’s kernel and per-channel bias, not n_l × n_{l−1}', () => {
    const c = architectureConfig(architecture('cnn', mnist));
    expect(parameterCount(c)).toBe(3 * 3 * 1 * 32 + 32 + (3 * 3 * 32 * 64 + 64) + (3136 * 128 + 128) + (128 * 10 + 10));
  });
});

describe('createConfig from specs alone', () => {
  it('derives sizes from layers and inputShape, and asks for units where a dense spec lacks them', () => {
    const spec = architecture('cnn', mnist);
    expect(createConfig({ layers: spec.layers, inputShape: spec.inputShape }).sizes).toEqual([784, 6272, 3136, 128, 10]);
    expect(() => createConfig({ layers: [{ kind: 'dense' }], inputShape: [28, 28, 1] })).toThrow(/units/);
    expect(() => createConfig({ layers: [{ kind: 'dense', units: 3 }] })).toThrow(
      /options.sizes must be an array .* or left out with layers and inputShape given/,
    );
  });

  it('μPC without residual layers: every hidden layer gets 1/√fan-in, the readout 1/fan-in (JPC without skips)', () => {
    expect(createConfig({ sizes: [16, 9, 4, 3], parameterisation: 'mupc' }).scales).toEqual([1 / 4, 1 / 3, 1 / 4]);
  });
});
