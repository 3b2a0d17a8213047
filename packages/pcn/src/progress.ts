/**
 * Progress for long work: a bar on a terminal (stderr), plain lines otherwise
 * (cli-progress draws nothing when stderr is not a TTY).
 */
import cliProgress from 'cli-progress';

export interface Progress {
  start(epoch: number, total: number): void;
  update(done: number, energy: number): void;
  stop(): void;
}

export function createProgress(epochs: number, enabled: boolean): Progress {
  if (!enabled || !process.stderr.isTTY) return { start() {}, update() {}, stop() {} };
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: 'epoch {epoch}/{epochs} |{bar}| {value}/{total} batches | energy {energy} | {eta_formatted} left',
      hideCursor: true,
      clearOnComplete: true,
    },
    cliProgress.Presets.shades_classic,
  );
  return {
    start: (epoch, total) => bar.start(total, 0, { epoch, epochs, energy: '-' }),
    update: (done, energy) => bar.update(done, { energy: energy.toFixed(4) }),
    stop: () => bar.stop(),
  };
}
