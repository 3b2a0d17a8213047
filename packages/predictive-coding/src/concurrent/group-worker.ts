/**
 * The entry of a layer group's thread: in Node its GroupInit is the
 * workerData; in a browser (a module Web Worker) it is the first message.
 * Errors end the thread with the error, which the driver reports.
 */
import { runGroup } from './group.ts';
import type { GroupInit } from './protocol.ts';

const isNode = typeof process === 'object' && typeof process.versions?.node === 'string';
if (isNode) {
  const name = 'node:worker_threads';
  const { workerData } = (await import(/* @vite-ignore */ name)) as { workerData: GroupInit };
  await runGroup(workerData);
} else {
  const scope = globalThis as unknown as { onmessage: ((e: MessageEvent<GroupInit>) => void) | null; close(): void };
  scope.onmessage = (e) => {
    scope.onmessage = null;
    runGroup(e.data).then(
      () => scope.close(),
      // Thrown from a task of its own, the error reaches the page as the Worker's 'error' event (a rejected promise would not).
      (error: unknown) =>
        setTimeout(() => {
          throw error;
        }),
    );
  };
}
