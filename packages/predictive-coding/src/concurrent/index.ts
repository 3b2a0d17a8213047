/**
 * Layers that run on their own: relaxation with the layers cut into groups on
 * worker threads, trading boundary values through shared-memory mailboxes
 * with no barrier between steps (relax-concurrently.ts): once with
 * relaxConcurrently, or batch after batch with a ConcurrentRelaxer, whose
 * threads stay up.
 */
export { createMailboxBuffer, MailboxReader, MailboxWriter } from './mailbox.ts';
export {
  balancedSplits,
  type ConcurrentOptions,
  type ConcurrentRelaxer,
  type ConcurrentResult,
  type RelaxationSettings,
  type RelaxerOptions,
  relaxConcurrently,
  startConcurrentRelaxer,
} from './relax-concurrently.ts';
