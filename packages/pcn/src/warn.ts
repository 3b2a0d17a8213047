/** Advice from the library (divergence symptoms, settings known to train badly) on the terminal. */

/**
 * The library's name for where a setting came from ("fit: options.train: ",
 * "trainStep: config: "): its API, which a CLI user never typed. The advice
 * after it names the pcn flags.
 */
const API_PLACE = /^[a-zA-Z]+: (?:options\.[a-zA-Z]+|config): /;

/** Writes `warning: <message>` as one line on stderr (also under --json, which keeps stdout for results). */
export function warn(message: string): void {
  process.stderr.write(`warning: ${message.replace(API_PLACE, '').replace(/\s+/g, ' ')}\n`);
}
