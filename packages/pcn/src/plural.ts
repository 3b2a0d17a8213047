/** Counts in messages: "1 epoch", "2 epochs", "8,000 examples". */

/** `n` with thousands separators and `noun`, plural unless n is 1 (`plural`: the irregular plural). */
export function count(n: number, noun: string, plural = `${noun}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? noun : plural}`;
}
