/**
 * Starting a worker thread from a module of this library, in Node: from the
 * built package a plain `new Worker(url)`; from the TypeScript sources (the
 * repository's tests, `npm run pcn`) through tsx's loader, registered inside
 * the worker — a worker does not inherit a loader given with `--import`.
 * The worker is unref'd: it never keeps the process alive on its own.
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

/** Starts the module at `url` in a worker thread with `workerData`. Throws PcError('config') outside Node. */
export async function startModuleWorker(url: URL, workerData: unknown): Promise<ThreadWorker> {
  if (typeof process !== 'object' || typeof process.versions?.node !== 'string')
    throw new PcError('config', 'startModuleWorker: worker threads of this kind need Node (a browser runs the layer groups in Web Workers).');
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
