/**
 * Text from files made safe for a terminal: control characters (C0, DEL,
 * C1 — ESC starts the sequences that move the cursor, clear the screen or set
 * the window title), format characters (bidi overrides that reorder what is
 * shown, zero-width characters, BOM), line and paragraph separators and lone
 * surrogates are written as escapes, \n, \r, \t or \u{…}, so what is printed
 * is what the file holds and takes one line.
 */
const UNSAFE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/gu;
const SHORT: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** `text` with every character a terminal would act on, or hide, written as an escape. */
export function printable(text: string): string {
  return text.replace(UNSAFE, (c) => SHORT[c] ?? `\\u{${c.codePointAt(0)!.toString(16)}}`);
}

/**
 * JSON.stringify(value), with the characters JSON leaves raw but a terminal
 * acts on or hides (U+007F–U+009F, bidi and zero-width format characters,
 * U+2028/2029) written as \uXXXX escapes: the same JSON value, one safe line.
 */
export function printableJson(value: unknown): string {
  return JSON.stringify(value).replace(UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
