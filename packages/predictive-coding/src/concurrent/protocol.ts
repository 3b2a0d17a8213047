/** What the driver (relax-concurrently.ts) sends each layer group's thread (group.ts), and the words of their shared control block. */
import type { PcnConfig } from '../core/index.ts';

/** Int32 words of the control block. */
/** ready, done, ok: groups that started, ended, ended well; go and stop: the driver's signals. */
export const CONTROL = { ready: 0, go: 1, stop: 2, done: 3, ok: 4 } as const;
export const CONTROL_WORDS = 5;

/** One predicted layer's parameters, host copies. */
export interface GroupParams {
  readonly weights: Float32Array;
  readonly bias: Float32Array;
  readonly feedback?: Float32Array;
}

/** Everything a group's thread starts from (structured-clonable; the SharedArrayBuffers are shared, not copied). */
export interface GroupInit {
  /** This group's position among the groups. */
  readonly index: number;
  readonly config: PcnConfig;
  readonly params: readonly GroupParams[];
  readonly rows: number;
  /** The group's layers: first … end − 1 (of x_0 … x_L). */
  readonly first: number;
  readonly end: number;
  readonly clamped: readonly boolean[];
  readonly steps: number;
  readonly lr: number;
  readonly momentum: number;
  readonly backend: 'wasm' | 'native' | 'js';
  readonly threads: number;
  /** Every layer's values, rows × n_l at float offset offsets[l]: the start, and each group's own layers at the end. */
  readonly values: SharedArrayBuffer;
  readonly offsets: readonly number[];
  /** Mailboxes: x_{first−1} from the group below, eps_end from the group above, and this group's eps_first (down) and x_{end−1} (up). */
  readonly xBelow?: SharedArrayBuffer;
  readonly epsAbove?: SharedArrayBuffer;
  readonly epsDown?: SharedArrayBuffer;
  readonly xUp?: SharedArrayBuffer;
  /** [own energy, step] after each step, for the driver's energy trace. */
  readonly report: SharedArrayBuffer;
  readonly control: SharedArrayBuffer;
  /** Int32 per group: the steps it took. */
  readonly stepsTaken: SharedArrayBuffer;
}
