/** listenForStop: the first signal asks to stop; the same request delivered twice is not a second request. */
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { listenForStop, SAME_REQUEST_MS } from '../../packages/pcn/src/stop.ts';

function harness() {
  const source = new EventEmitter();
  const clock = { t: 1000 };
  const exits: number[] = [];
  const firsts: string[] = [];
  const stop = listenForStop((s) => firsts.push(s), { source, now: () => clock.t, exit: (code) => exits.push(code) });
  return { source, clock, exits, firsts, stop };
}

describe('listenForStop', () => {
  it('a second signal within the window (npm passing on the Ctrl-C the program already got) is the same request: no exit', () => {
    const h = harness();
    h.source.emit('SIGINT', 'SIGINT');
    h.clock.t += 6;
    h.source.emit('SIGINT', 'SIGINT');
    h.clock.t += SAME_REQUEST_MS - 7;
    h.source.emit('SIGTERM', 'SIGTERM');
    expect(h.firsts).toEqual(['SIGINT']);
    expect(h.exits).toEqual([]);
    expect(h.stop.aborted).toBe(true);
    expect(h.stop.by).toBe('SIGINT');
    expect(h.stop.exitCode()).toBe(130);
  });

  it('a signal after the window quits at once, with its own status', () => {
    const h = harness();
    h.source.emit('SIGTERM', 'SIGTERM');
    h.clock.t += SAME_REQUEST_MS;
    h.source.emit('SIGINT', 'SIGINT');
    expect(h.exits).toEqual([130]);
    expect(h.stop.exitCode()).toBe(143);
  });

  it('dispose removes the handlers when no signal came, and keeps absorbing duplicates once one did', () => {
    const quiet = harness();
    quiet.stop.dispose();
    expect(quiet.source.listenerCount('SIGINT')).toBe(0);
    const stopped = harness();
    stopped.source.emit('SIGINT', 'SIGINT');
    stopped.stop.dispose();
    // A duplicate arriving after the run saved and let go must not kill the process by the signal (its status would be lost).
    stopped.clock.t += 10;
    stopped.source.emit('SIGINT', 'SIGINT');
    expect(stopped.exits).toEqual([]);
    stopped.clock.t += SAME_REQUEST_MS;
    stopped.source.emit('SIGHUP', 'SIGHUP');
    expect(stopped.exits).toEqual([129]);
  });
});
