/**
 * Text from files, workers or users made safe for one terminal line — the one
 * implementation every layer uses for messages and output. Control characters
 * (C0, DEL, C1 — ESC starts sequences that move the cursor, clear the screen
 * or set the window title), format characters (bidi overrides that reorder
 * what is shown, zero-width characters, BOM), line and paragraph separators
 * and lone surrogates are written as escapes (\n, \r, \t or \u{…}), so what
 * is printed is what the text holds, on one line.
 */
const UNSAFE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/gu;
const SHORT: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** `text` with every character a terminal would act on, or hide, written as an escape. */
export function printable(text: string): string {
  return text.replace(UNSAFE, (c) => SHORT[c] ?? `\\u{${c.codePointAt(0)!.toString(16)}}`);
}

/** printable(), cut to `max` characters first (an ellipsis marks the cut). */
export function oneLine(text: string, max = 300): string {
  return printable(text.length > max ? `${text.slice(0, max)}…` : text);
}

/** oneLine() in double quotes, with quotes and backslashes escaped: for a name taken from a file. */
export function quoted(text: string, max = 60): string {
  const cut = text.length > max ? `${text.slice(0, max)}…` : text;
  return `"${printable(cut.replace(/["\\]/g, '\\$&'))}"`;
}

/**
 * JSON.stringify(value), with the characters JSON leaves raw but a terminal
 * acts on or hides (U+007F–U+009F, bidi and zero-width format characters,
 * U+2028/2029) written as \uXXXX escapes: the same JSON value, one safe line.
 */
export function printableJson(value: unknown): string {
  return JSON.stringify(value).replace(UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
