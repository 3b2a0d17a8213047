/**
 * Starting a worker thread from a module of this library. In Node: from the
 * built package a plain `new Worker(url)`; from the TypeScript sources (the
 * repository's tests, `npm run pcn`) through tsx's loader, registered inside
 * the worker — a worker does not inherit a loader given with `--import`; the
 * worker is unref'd, so it never keeps the process alive on its own. In a
 * browser: a module Web Worker, in a cross-origin-isolated page only. (The
 * URL is computed at run time: pages that load the library's modules as they
 * are — a dev server, plain ES modules — work; a bundler that must see
 * `new Worker(new URL('…', import.meta.url))` written out does not bundle it.)
 */
import { PcError } from '../errors.ts';

/** What the library needs of a Node worker. */
export interface ThreadWorker {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (message: unknown) => void): void;
  on(event: 'error', listener: (error: Error) => void): void;
  on(event: 'exit', listener: (code: number) => void): void;
  terminate(): Promise<number>;
  unref(): void;
}

interface WorkerThreads {
  Worker: new (source: string | URL, options: { eval?: boolean; workerData?: unknown }) => ThreadWorker;
}

/** A browser's Worker, as far as the library uses it. */
interface WebWorker {
  postMessage(message: unknown): void;
  terminate(): void;
  addEventListener(type: 'error', listener: (e: { message?: string }) => void): void;
  addEventListener(type: 'message', listener: (e: { data: unknown }) => void): void;
}

/**
 * The module at `url` in a module Web Worker of a cross-origin-isolated page (the only pages that can share
 * memory with one), given `workerData` as its first message. Browsers have no exit event: a worker that
 * throws fires 'error'.
 */
function startWebWorker(url: URL, workerData: unknown): ThreadWorker {
  const g = globalThis as { crossOriginIsolated?: boolean; Worker?: new (url: URL, options: { type: 'module' }) => WebWorker };
  if (typeof g.Worker !== 'function') throw new PcError('config', 'startModuleWorker: this environment has neither Node worker threads nor Web Workers.');
  if (!g.crossOriginIsolated)
    throw new PcError(
      'config',
      'startModuleWorker: the page is not cross-origin isolated, so it cannot share memory with a worker (serve it with COOP: same-origin and COEP: require-corp).',
    );
  const w = new g.Worker(url, { type: 'module' });
  w.postMessage(workerData);
  return {
    postMessage: (m) => w.postMessage(m),
    on(event: 'message' | 'error' | 'exit', listener: (x: never) => void) {
      if (event === 'error') w.addEventListener('error', (e) => (listener as (e: Error) => void)(new Error(e.message || 'the worker failed to load or run')));
      else if (event === 'message') w.addEventListener('message', (e) => (listener as (m: unknown) => void)(e.data));
    },
    terminate: async () => {
      w.terminate();
      return 0;
    },
    unref: () => {},
  };
}

/** Starts the module at `url` in a worker thread with `workerData`: Node's worker_threads, or a Web Worker in a browser. */
export async function startModuleWorker(url: URL, workerData: unknown): Promise<ThreadWorker> {
  if (typeof process !== 'object' || typeof process.versions?.node !== 'string') return startWebWorker(url, workerData);
  // A variable specifier keeps bundlers from resolving a Node built-in.
  const name = 'node:worker_threads';
  const wt = (await import(/* @vite-ignore */ name)) as WorkerThreads;
  // tsx is resolved here, beside the sources, not from the worker (whose eval'd code resolves from the working directory).
  const worker = url.pathname.endsWith('.ts')
    ? new wt.Worker(
        `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then(({ register }) => { register(); return import(${JSON.stringify(url.href)}); });`,
        {
          eval: true,
          workerData,
        },
      )
    : new wt.Worker(url, { workerData });
  worker.unref();
  return worker;
}
