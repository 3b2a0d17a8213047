import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MODULE_PATH, renderModule } from '../../scripts/build-wasm.ts';

describe('shipped wasm module', () => {
  it('is exactly what the AssemblyScript sources in the repo build to (run `npm run build:wasm` after editing them)', async () => {
    expect(readFileSync(MODULE_PATH, 'utf8') === (await renderModule())).toBe(true);
  });
});
