/**
 * Where worker threads come from: Node's worker_threads, or Web Workers in a
 * cross-origin-isolated page (the only pages where memory can be shared).
 */
import type { SpawnWorker } from './pool.ts';

export interface ThreadSupport {
  /** Starts a worker, or null where this environment cannot share memory with one. */
  readonly spawn: SpawnWorker | null;
  /** Why `spawn` is null. */
  readonly reason: string;
  /** Cores the environment reports. */
  readonly cores: number;
}

interface NodeWorker {
  unref(): void;
  on(event: 'error', listener: (e: unknown) => void): void;
  on(event: 'exit', listener: (code: number) => void): void;
  postMessage(message: unknown): void;
  terminate(): unknown;
}

/** Detects thread support; async only because Node's modules load dynamically (browser bundles must not see them). */
export async function detectThreads(): Promise<ThreadSupport> {
  const isNode = typeof process === 'object' && typeof process.versions?.node === 'string';
  if (isNode) {
    // A variable specifier keeps bundlers from trying to resolve Node built-ins.
    const wtName = 'node:worker_threads';
    const osName = 'node:os';
    const wt = (await import(/* @vite-ignore */ wtName)) as { Worker: new (src: string, opts: { eval: boolean }) => NodeWorker };
    const os = (await import(/* @vite-ignore */ osName)) as { availableParallelism(): number };
    const spawn: SpawnWorker = (source, onFailure) => {
      const w = new wt.Worker(source, { eval: true });
      w.unref();
      // Kernel workers exit only when the pool stops them, so any error or exit is a failure to report.
      w.on('error', (e) => onFailure(`threw ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`));
      w.on('exit', (code) => onFailure(`exited with code ${code}`));
      return w;
    };
    return { spawn, reason: '', cores: os.availableParallelism() };
  }
  const g = globalThis as { crossOriginIsolated?: boolean; navigator?: { hardwareConcurrency?: number }; Worker?: new (url: string) => WorkerLike };
  const cores = g.navigator?.hardwareConcurrency ?? 1;
  if (typeof g.Worker !== 'function') return { spawn: null, reason: 'this environment has no Worker', cores };
  if (!g.crossOriginIsolated)
    return { spawn: null, reason: 'the page is not cross-origin isolated (serve it with COOP: same-origin and COEP: require-corp)', cores };
  const WorkerCtor = g.Worker;
  const spawn: SpawnWorker = (source, onFailure) => {
    const w = new WorkerCtor(URL.createObjectURL(new Blob([source], { type: 'text/javascript' })));
    // Browsers have no exit event; a worker that throws (or fails to load) fires 'error'.
    w.addEventListener('error', (e) => onFailure(`threw ${e.message || 'an error (the worker script failed to load or run)'}`));
    w.addEventListener('messageerror', () => onFailure('could not receive its start message'));
    return w;
  };
  return { spawn, reason: '', cores };
}

interface WorkerLike {
  postMessage(message: unknown): void;
  terminate(): void;
  addEventListener(type: 'error' | 'messageerror', listener: (e: { message?: string }) => void): void;
}
