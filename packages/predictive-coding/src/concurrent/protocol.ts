/** What the driver (relax-concurrently.ts) sends each layer group's thread (group.ts), and the words of their shared control block. */
import type { PcnConfig } from '../core/index.ts';

/** Int32 words of the control block. */
/** ready: groups set up; done: groups that finished the current relaxation; go (a counter), stop, quit: the driver's signals. */
export const CONTROL = { ready: 0, go: 1, stop: 2, done: 3, quit: 4 } as const;
export const CONTROL_WORDS = 5;
/** Float64 words of the job block: the current relaxation's steps, x step, momentum and weight step (0: no learning). */
export const JOB_WORDS = 4;

/** One predicted layer's parameters, copies in shared memory (a group that learns writes its own back at the end). */
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
  readonly backend: 'wasm' | 'native' | 'js';
  readonly threads: number;
  /** Every layer's values, rows × n_l each, in shared memory: each relaxation's start, and each group's own layers at its end. */
  readonly values: readonly Float32Array[];
  /** Mailboxes: x_{first−1} from the group below, eps_end from the group above, and this group's eps_first (down) and x_{end−1} (up). */
  readonly xBelow?: SharedArrayBuffer;
  readonly epsAbove?: SharedArrayBuffer;
  readonly epsDown?: SharedArrayBuffer;
  readonly xUp?: SharedArrayBuffer;
  /** With learning: the message g_{first−1} down to the group below, and g_{end−1} from the group above (each computed with its owner's W). */
  readonly messageDown?: SharedArrayBuffer;
  readonly messageAbove?: SharedArrayBuffer;
  /** [own energy, step] after each step, for the driver's energy trace. */
  readonly report: SharedArrayBuffer;
  readonly control: SharedArrayBuffer;
  /** The current relaxation's [steps, lr, momentum, lrW] (Float64). */
  readonly job: SharedArrayBuffer;
  /** Int32 per group: the steps it took. */
  readonly stepsTaken: SharedArrayBuffer;
}
