// Partial vectors for the last 1–3 elements of an array, so tails run the same
// lane code as the body and never touch memory past the end.

/** Loads `lanes` (1–3) floats from p into the low lanes; the others are 0. */
// @ts-ignore: decorator
@inline export function loadTail(p: usize, lanes: i32): v128 {
  let v = f32x4.splat(0);
  v = f32x4.replace_lane(v, 0, load<f32>(p));
  if (lanes > 1) v = f32x4.replace_lane(v, 1, load<f32>(p, 4));
  if (lanes > 2) v = f32x4.replace_lane(v, 2, load<f32>(p, 8));
  return v;
}

/** Stores the low `lanes` (1–3, or 4) lanes of v at p. */
// @ts-ignore: decorator
@inline export function storeTail(p: usize, v: v128, lanes: i32): void {
  store<f32>(p, f32x4.extract_lane(v, 0));
  if (lanes > 1) store<f32>(p, f32x4.extract_lane(v, 1), 4);
  if (lanes > 2) store<f32>(p, f32x4.extract_lane(v, 2), 8);
  if (lanes > 3) store<f32>(p, f32x4.extract_lane(v, 3), 12);
}
