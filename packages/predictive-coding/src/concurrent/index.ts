/**
 * Layers that run on their own: relaxation with the layers cut into groups on
 * worker threads, trading boundary values through shared-memory mailboxes
 * with no barrier between steps (relax-concurrently.ts).
 */

export { createMailboxBuffer, MailboxReader, MailboxWriter } from './mailbox.ts';
export { balancedSplits, type ConcurrentOptions, type ConcurrentResult, relaxConcurrently } from './relax-concurrently.ts';
