/**
 * A mailbox of n float32 values in shared memory, from one writer thread to
 * one reader thread: how a layer group hands its boundary x or eps to its
 * neighbour with no barrier between them.
 *
 * Triple buffering. Three slots: the writer fills its own back slot, then
 * swaps it with the middle one in one `Atomics.exchange` (marking the middle
 * fresh); the reader, when the middle is fresh, swaps it with its own front
 * slot the same way and reads the front at leisure. Nobody writes a slot
 * another thread is using, so:
 * - the writer never waits and the reader never waits (no lock, no retry);
 * - a read is never torn: it is one whole published version;
 * - it is the latest version published before the reader's swap;
 * - the hand-off is correct under the JavaScript memory model, not only on
 *   x86: the writer's data writes come before its exchange in its own order,
 *   the reader's exchange reads that exchange's value (a synchronizes-with
 *   edge between atomics), so the reader's later reads happen after the
 *   writes. (A seqlock would instead need a read fence between its data loads
 *   and its second version load, which JavaScript has no way to express.)
 * A version number travels with each slot, so the reader knows which of the
 * writer's steps it holds.
 *
 * Layout of `buffer`: Int32 words [middle | FRESH, published], then three
 * slots of (Int32 version, pad, n × float32).
 */
import { PcError } from '../errors.ts';

/** Set on the middle index when it holds a version the reader has not taken. */
const FRESH = 4;
const HEADER_BYTES = 8;
const SLOT_HEADER_BYTES = 8;

function slotBytes(n: number): number {
  return SLOT_HEADER_BYTES + 4 * n;
}

/** Shared memory for a mailbox of `n` values (send it to both threads). */
export function createMailboxBuffer(n: number): SharedArrayBuffer {
  if (!Number.isInteger(n) || n < 1) throw new PcError('config', `createMailboxBuffer: n must be a whole number ≥ 1, got ${n}.`);
  const buffer = new SharedArrayBuffer(HEADER_BYTES + 3 * slotBytes(n));
  // Slot 0 is the writer's back, 1 the reader's front, 2 the middle; version 0 everywhere (nothing published).
  new Int32Array(buffer, 0, 2)[0] = 2;
  return buffer;
}

/** What both ends share: the buffer's views, checked against `n`, and the one hand-off, a slot swapped with the middle. */
abstract class MailboxEnd {
  protected readonly ctl: Int32Array;
  protected readonly versions: Int32Array[];
  protected readonly data: Float32Array[];

  constructor(
    buffer: SharedArrayBuffer,
    readonly n: number,
  ) {
    if (buffer.byteLength !== HEADER_BYTES + 3 * slotBytes(n))
      throw new PcError('shape', `mailbox: a buffer of ${buffer.byteLength} bytes does not hold 3 slots of ${n} values.`);
    const at = (s: number) => HEADER_BYTES + s * slotBytes(n);
    this.ctl = new Int32Array(buffer, 0, 2);
    this.versions = [0, 1, 2].map((s) => new Int32Array(buffer, at(s), 1));
    this.data = [0, 1, 2].map((s) => new Float32Array(buffer, at(s) + SLOT_HEADER_BYTES, n));
  }

  /** Puts slot `mine` in the middle (marked fresh or not) and returns the slot that was there. */
  protected swap(mine: number, fresh: boolean): number {
    return Atomics.exchange(this.ctl, 0, fresh ? mine | FRESH : mine) & ~FRESH;
  }
}

/** The writing end (one thread only). */
export class MailboxWriter extends MailboxEnd {
  private back = 0;

  /** The slot to fill before `publish` (n values; the writer's alone until then). */
  get slot(): Float32Array {
    return this.data[this.back];
  }

  /** Publishes the back slot as `version` (never waits); the writer gets a new back slot. */
  publish(version: number): void {
    this.versions[this.back][0] = version;
    this.back = this.swap(this.back, true);
    Atomics.add(this.ctl, 1, 1);
  }

  /** Copies `values` (n of them) into the back slot and publishes them. */
  write(values: ArrayLike<number>, version: number): void {
    this.slot.set(values);
    this.publish(version);
  }
}

/** The reading end (one thread only). */
export class MailboxReader extends MailboxEnd {
  private front = 1;

  /** Takes the latest published version if there is a newer one (never waits); returns whether it did. */
  take(): boolean {
    if ((Atomics.load(this.ctl, 0) & FRESH) === 0) return false;
    this.front = this.swap(this.front, false);
    return true;
  }

  /** The values last taken (the reader's alone: no thread writes them until the next take). */
  get values(): Float32Array {
    return this.data[this.front];
  }

  /** The writer's version of the values last taken (0: none published yet). */
  get version(): number {
    return this.versions[this.front][0];
  }

  /** How many versions the writer has published in all (read by any thread). */
  get published(): number {
    return Atomics.load(this.ctl, 1);
  }
}
