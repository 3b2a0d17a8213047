/**
 * The triple-buffered mailbox between layer groups: never a torn read, always
 * a newer-or-equal version, under a writer thread publishing as fast as it can.
 * A naive in-place buffer, read by the same check, is caught tearing — so the
 * check can fail.
 */
import { describe, expect, it } from 'vitest';
import { createMailboxBuffer, MailboxReader, MailboxWriter } from '../../packages/predictive-coding/src/concurrent/mailbox.ts';
import { startModuleWorker } from '../../packages/predictive-coding/src/concurrent/spawn.ts';
import { PcError } from '../../packages/predictive-coding/src/errors.ts';

const N = 8192;

/** Reads for up to `ms` (or until `enough` torn reads): returns reads, torn reads, version regressions. */
async function stress(
  naive: boolean,
  ms: number,
  enough = Number.POSITIVE_INFINITY,
): Promise<{ reads: number; torn: number; backwards: number; published: number }> {
  const buffer = naive ? new SharedArrayBuffer(4 * N) : createMailboxBuffer(N);
  const control = new SharedArrayBuffer(8);
  const worker = await startModuleWorker(new URL('./mailbox-writer.ts', import.meta.url), { buffer, n: N, control, naive });
  const failure: string[] = [];
  worker.on('error', (e) => failure.push(e.message));
  const reader = naive ? null : new MailboxReader(buffer, N);
  const naiveValues = new Float32Array(buffer, 0, N);
  let reads = 0;
  let torn = 0;
  let backwards = 0;
  let last = 0;
  const copy = new Float32Array(N);
  // The worker starts (loading its module takes a while on a busy machine) before the timed window opens.
  const started = () => (reader ? reader.published > 0 : naiveValues[0] !== 0);
  for (let waited = 0; !started() && waited < 30_000; waited += 10) await new Promise((r) => setTimeout(r, 10));
  expect(started()).toBe(true);
  const until = performance.now() + ms;
  // Read as fast as possible.
  while (performance.now() < until && torn < enough) {
    if (reader) {
      if (!reader.take()) continue;
      copy.set(reader.values);
      if (reader.version < last) backwards++;
      last = reader.version;
      if (copy[0] !== reader.version) torn++;
    } else copy.set(naiveValues);
    if (copy[0] === 0) continue;
    reads++;
    for (let i = 1; i < N; i++)
      if (copy[i] !== copy[0]) {
        torn++;
        break;
      }
    // Let the event loop breathe now and then (the worker's messages, the test runner).
    if (reads % 2000 === 0) await new Promise((r) => setTimeout(r, 0));
  }
  Atomics.store(new Int32Array(control), 0, 1);
  await worker.terminate();
  expect(failure).toEqual([]);
  return { reads, torn, backwards, published: reader?.published ?? 0 };
}

describe('mailbox', () => {
  it('under a writer publishing as fast as it can, every read is one whole version, and versions never go back', async () => {
    const r = await stress(false, 1500);
    expect(r.reads).toBeGreaterThan(100);
    expect(r.published).toBeGreaterThan(r.reads / 10);
    expect(r.torn).toBe(0);
    expect(r.backwards).toBe(0);
  });

  it('the same check catches a naive in-place buffer tearing', async () => {
    const r = await stress(true, 5000, 5);
    expect(r.torn).toBeGreaterThan(0);
  });

  it('hands over the latest version in one thread too, and nothing before the first', () => {
    const buffer = createMailboxBuffer(3);
    const w = new MailboxWriter(buffer, 3);
    const r = new MailboxReader(buffer, 3);
    expect(r.take()).toBe(false);
    expect(r.version).toBe(0);
    w.write([1, 2, 3], 1);
    w.write([4, 5, 6], 2);
    expect(r.take()).toBe(true);
    expect([...r.values, r.version]).toEqual([4, 5, 6, 2]);
    expect(r.take()).toBe(false);
    w.write([7, 8, 9], 3);
    expect(r.take()).toBe(true);
    expect([...r.values, r.version, r.published]).toEqual([7, 8, 9, 3, 3]);
  });

  it('rejects a size that is not a whole number, and a buffer of the wrong size', () => {
    expect(() => createMailboxBuffer(0)).toThrow(PcError);
    expect(() => createMailboxBuffer(2.5)).toThrow(/whole number/);
    expect(() => new MailboxReader(createMailboxBuffer(4), 5)).toThrow(/3 slots of 5/);
  });
});
