/** Advice from the library (divergence symptoms, settings known to train badly) on the terminal. */

/** Writes `warning: <message>` as one line on stderr (also under --json, which keeps stdout for results). */
export function warn(message: string): void {
  process.stderr.write(`warning: ${message.replace(/\s+/g, ' ')}\n`);
}
