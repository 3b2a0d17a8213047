/**
 * Stopping a long run on request: SIGINT (Ctrl-C), SIGTERM (kill, a job
 * scheduler, a container stopping) and SIGHUP (the terminal went away) all
 * ask the work to stop at its next safe point, so that it can save what it
 * has; the same signal or another one a second time exits at once. The exit
 * status is the shell's for a death by that signal, 128 + its number: 130
 * for SIGINT, 143 for SIGTERM, 129 for SIGHUP.
 */
import { constants } from 'node:os';

export type StopSignal = 'SIGINT' | 'SIGTERM' | 'SIGHUP';

const SIGNALS: readonly StopSignal[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

export interface StopRequest {
  /** True once a signal asked to stop (the shape fit() and stream() poll). */
  readonly aborted: boolean;
  /** The first signal received, or null. */
  readonly by: StopSignal | null;
  /** 128 + the number of `by`, or 0 when no signal came. */
  exitCode(): number;
  /** Removes the handlers: signals kill the process again. */
  dispose(): void;
}

/** The exit status of a process that stops because of `signal`. */
export function signalExitCode(signal: StopSignal): number {
  return 128 + constants.signals[signal];
}

/**
 * Installs the handlers. `onFirst` runs on the first signal (to say what
 * happens next); a second signal exits with its status without saving.
 */
export function listenForStop(onFirst: (signal: StopSignal) => void): StopRequest {
  let by: StopSignal | null = null;
  const handler = (signal: StopSignal) => {
    if (by) process.exit(signalExitCode(signal));
    by = signal;
    // After a hangup the terminal is gone and writing to it fails (EIO, EPIPE): such errors must not stop the save.
    if (signal === 'SIGHUP') for (const s of [process.stdout, process.stderr]) s.on('error', () => {});
    onFirst(signal);
  };
  for (const s of SIGNALS) process.on(s, handler);
  return {
    get aborted() {
      return by !== null;
    },
    get by() {
      return by;
    },
    exitCode: () => (by ? signalExitCode(by) : 0),
    dispose: () => {
      for (const s of SIGNALS) process.off(s, handler);
    },
  };
}
