/**
 * Stopping a long run on request: SIGINT (Ctrl-C), SIGTERM (kill, a job
 * scheduler, a container stopping) and SIGHUP (the terminal went away) all
 * ask the work to stop at its next safe point, so that it can save what it
 * has. A request often arrives twice: `npm run` passes SIGINT and SIGTERM on
 * to the program, which also gets the terminal's Ctrl-C itself, and other
 * wrappers and process managers relay signals the same way. So any signal
 * within SAME_REQUEST_MS of the first is that same request; only one after
 * that exits at once, without saving. The exit status is the shell's for a
 * death by the first signal, 128 + its number: 130 for SIGINT, 143 for
 * SIGTERM, 129 for SIGHUP.
 */
import { constants } from 'node:os';

export type StopSignal = 'SIGINT' | 'SIGTERM' | 'SIGHUP';

const SIGNALS: readonly StopSignal[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/**
 * How long after the first signal another one is taken as a second delivery
 * of the same request (npm's relay arrives within milliseconds; a person
 * pressing Ctrl-C again to quit takes longer than this).
 */
export const SAME_REQUEST_MS = 1000;

export interface StopRequest {
  /** True once a signal asked to stop (the shape fit() and stream() poll). */
  readonly aborted: boolean;
  /** The first signal received, or null. */
  readonly by: StopSignal | null;
  /** 128 + the number of `by`, or 0 when no signal came. */
  exitCode(): number;
  /**
   * Removes the handlers, so that signals kill the process again — unless a
   * signal came: then they stay, so that a late duplicate of it does not kill
   * the process by the signal (losing its exit status) while it exits.
   */
  dispose(): void;
}

/** What listenForStop listens to and how it quits (the process, its clock and process.exit, unless a test says otherwise). */
export interface StopOptions {
  readonly source?: {
    on(event: StopSignal, listener: (signal: StopSignal) => void): unknown;
    off(event: StopSignal, listener: (signal: StopSignal) => void): unknown;
  };
  readonly now?: () => number;
  readonly exit?: (code: number) => void;
}

/** The exit status of a process that stops because of `signal`. */
export function signalExitCode(signal: StopSignal): number {
  return 128 + constants.signals[signal];
}

/**
 * Installs the handlers. `onFirst` runs on the first signal (to say what
 * happens next); a signal SAME_REQUEST_MS or more after it exits with its
 * status without saving; any in between is ignored.
 */
export function listenForStop(onFirst: (signal: StopSignal) => void, options: StopOptions = {}): StopRequest {
  const source = options.source ?? process;
  const now = options.now ?? (() => performance.now());
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let by: StopSignal | null = null;
  let at = 0;
  const handler = (signal: StopSignal) => {
    if (by) {
      if (now() - at >= SAME_REQUEST_MS) exit(signalExitCode(signal));
      return;
    }
    by = signal;
    at = now();
    // After a hangup the terminal is gone and writing to it fails (EIO, EPIPE): such errors must not stop the save.
    if (signal === 'SIGHUP') for (const s of [process.stdout, process.stderr]) s.on('error', () => {});
    onFirst(signal);
  };
  for (const s of SIGNALS) source.on(s, handler);
  return {
    get aborted() {
      return by !== null;
    },
    get by() {
      return by;
    },
    exitCode: () => (by ? signalExitCode(by) : 0),
    dispose: () => {
      if (by === null) for (const s of SIGNALS) source.off(s, handler);
    },
  };
}
