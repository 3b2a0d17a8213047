/**
 * Byte-level mutations of valid files for property tests: overwritten bytes,
 * truncations, insertions, deletions and splices of another valid file. Each
 * is a pure function of the drawn values, so fast-check can shrink failures.
 */
import fc from 'fast-check';

export type Mutation =
  | { readonly kind: 'set'; readonly at: number; readonly bytes: readonly number[] }
  | { readonly kind: 'truncate'; readonly at: number }
  | { readonly kind: 'insert'; readonly at: number; readonly bytes: readonly number[] }
  | { readonly kind: 'delete'; readonly at: number; readonly length: number }
  | { readonly kind: 'splice'; readonly at: number; readonly from: number; readonly length: number };

/** Positions are fractions of the length, so one mutation fits any file. */
const at = fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true });
const someBytes = fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 16 });

export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), at, bytes: someBytes }),
  fc.record({ kind: fc.constant('truncate' as const), at }),
  fc.record({ kind: fc.constant('insert' as const), at, bytes: someBytes }),
  fc.record({ kind: fc.constant('delete' as const), at, length: fc.integer({ min: 1, max: 64 }) }),
  fc.record({ kind: fc.constant('splice' as const), at, from: at, length: fc.integer({ min: 1, max: 256 }) }),
);

/** `bytes` after `m`; `donor` is the other valid file a splice copies from. */
export function mutate(bytes: Uint8Array, m: Mutation, donor: Uint8Array): Uint8Array {
  const i = Math.floor(m.at * bytes.length);
  const join = (...parts: ArrayLike<number>[]) => {
    const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
    let o = 0;
    for (const p of parts) {
      out.set(p, o);
      o += p.length;
    }
    return out;
  };
  switch (m.kind) {
    case 'set': {
      const out = bytes.slice();
      m.bytes.forEach((b, k) => {
        if (i + k < out.length) out[i + k] = b;
      });
      return out;
    }
    case 'truncate':
      return bytes.slice(0, i);
    case 'insert':
      return join(bytes.subarray(0, i), m.bytes, bytes.subarray(i));
    case 'delete':
      return join(bytes.subarray(0, i), bytes.subarray(i + m.length));
    case 'splice': {
      const from = Math.floor(m.from * donor.length);
      return join(bytes.subarray(0, i), donor.subarray(from, from + m.length), bytes.subarray(i + m.length));
    }
  }
}

/** One to three mutations in a row. */
export const mutations = fc.array(mutation, { minLength: 1, maxLength: 3 });

export function mutateAll(bytes: Uint8Array, ms: readonly Mutation[], donor: Uint8Array): Uint8Array {
  return ms.reduce((b, m) => mutate(b, m, donor), bytes);
}
