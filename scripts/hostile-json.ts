/**
 * JSON values, typed, for the forged checkpoint headers of
 * scripts/hostile-cases.ts: a header is parsed, edited in place and written
 * back with forge. The accessors check the shape they expect and throw if
 * the good checkpoint ever stops having it.
 */

import { split as splitFile } from '../test/train/safetensors-files.ts';

/** Any value JSON text can hold. */
export type Json = null | boolean | number | string | Json[] | JsonObject;

/** A JSON object: a checkpoint header, its `__metadata__`, or one tensor's entry. */
export interface JsonObject {
  [key: string]: Json;
}

/** Whether `v` is a JSON value (all the way down). */
function isJson(v: unknown): v is Json {
  if (v === null || typeof v === 'boolean' || typeof v === 'number' || typeof v === 'string') return true;
  if (Array.isArray(v)) return v.every(isJson);
  return typeof v === 'object' && Object.values(v).every(isJson);
}

/** `v` as a JSON object; throws if it is anything else. */
function asObject(v: unknown): JsonObject {
  if (isJson(v) && typeof v === 'object' && v !== null && !Array.isArray(v)) return v;
  throw new Error(`not a JSON object: ${JSON.stringify(v)}`);
}

/** `v` as a JSON array (the same array, so edits reach the header); throws if it is anything else. */
export function asArray(v: Json | undefined): Json[] {
  if (Array.isArray(v)) return v;
  throw new Error(`not a JSON array: ${JSON.stringify(v)}`);
}

/** `v` as a string; throws if it is anything else. */
function asString(v: Json | undefined): string {
  if (typeof v === 'string') return v;
  throw new Error(`not a string: ${JSON.stringify(v)}`);
}

/** A checkpoint's header (parsed, to be edited) and data section. */
export function splitCheckpoint(b: Uint8Array): { header: JsonObject; data: Uint8Array } {
  const { header, data } = splitFile(b);
  return { header: asObject(header), data };
}

/** The header's `__metadata__` object. */
export const metadataOf = (h: JsonObject): JsonObject => asObject(h.__metadata__);

/** Tensor `tensor`'s header entry. */
export const entryOf = (h: JsonObject, tensor: string): JsonObject => asObject(h[tensor]);

/** Tensor `tensor`'s data_offsets: the array in the header itself, so edits reach it. */
export function offsetsOf(h: JsonObject, tensor: string): number[] {
  const offsets = asArray(entryOf(h, tensor).data_offsets);
  if (offsets.every((o): o is number => typeof o === 'number')) return offsets;
  throw new Error(`${tensor}: data_offsets not numbers: ${JSON.stringify(offsets)}`);
}

/** The model config that the metadata holds as JSON text, parsed. */
export const configOf = (h: JsonObject): JsonObject => asObject(JSON.parse(asString(metadataOf(h).config)));
