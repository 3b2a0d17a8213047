/**
 * The layering rule of STYLE §1: inside the library, a folder imports only
 * from folders to its left (kernels → core → concurrent → train → data → node), plus the root leaf
 * modules errors.ts and random.ts; the CLI and the lab, on top, reach the
 * library only by its package name (its public exports), never each other;
 * the library imports no package but valibot (checkpoint headers), Node's
 * built-ins and the optional `webgpu`; and no source file uses `any`.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'packages/predictive-coding/src');
const cli = join(root, 'packages/pcn/src');
const lab = join(root, 'lab/src');
const ORDER = ['kernels', 'core', 'concurrent', 'train', 'data', 'node'];

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return name === 'assembly' ? [] : files(p);
    return p.endsWith('.ts') ? [p] : [];
  });
}

const layerOf = (file: string): string => relative(src, file).split('/')[0].replace(/\.ts$/, '');
const specifiers = (file: string): string[] => [...readFileSync(file, 'utf8').matchAll(/(?:from |import\()'([^']+)'/g)].map((m) => m[1]);

describe('architecture', () => {
  const all = files(src);
  const top = [...files(cli), ...files(lab)];

  it('each library layer imports only from layers to its left, and root modules import no layer', () => {
    const violations: string[] = [];
    for (const file of all) {
      const from = layerOf(file);
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/from '(\.[^']+)'/g)) {
        const to = layerOf(resolve(dirname(file), m[1]));
        if (to === from) continue;
        const fromIsLayer = ORDER.includes(from);
        const toIsLayer = ORDER.includes(to);
        const ok = !toIsLayer || (fromIsLayer && ORDER.indexOf(to) < ORDER.indexOf(from)) || (from === 'index' && toIsLayer);
        if (!ok) violations.push(`${relative(src, file)} imports ${m[1]}`);
      }
    }
    expect(violations).toEqual([]);
  });

  it('the library imports no package but valibot (its one dependency), Node built-ins and the optional webgpu', () => {
    const outside = all.flatMap((f) =>
      specifiers(f)
        .filter((s) => !s.startsWith('.') && !s.startsWith('node:') && s !== 'webgpu' && s !== 'valibot')
        .map((s) => `${relative(src, f)}: ${s}`),
    );
    expect(outside).toEqual([]);
    const pkg = JSON.parse(readFileSync(join(src, '../package.json'), 'utf8'));
    expect([Object.keys(pkg.dependencies), pkg.optionalDependencies]).toEqual([['valibot'], undefined]);
  });

  it('the CLI and the lab reach the library by its package name only, and never each other', () => {
    const violations = top.flatMap((file) => {
      const home = file.startsWith(cli) ? cli : lab;
      return specifiers(file)
        .filter((s) => s.startsWith('.') && !resolve(dirname(file), s).startsWith(home))
        .map((s) => `${relative(root, file)} imports ${s}`);
    });
    expect(violations).toEqual([]);
  });

  it('no source file declares `any` or exceeds 400 lines (generated module.ts aside)', () => {
    for (const file of [...all, ...top]) {
      if (file.endsWith('module.ts')) continue;
      const text = readFileSync(file, 'utf8');
      expect(/:\s*any\b|as any\b|<any>/.test(text), relative(src, file)).toBe(false);
      expect(text.split('\n').length, relative(src, file)).toBeLessThanOrEqual(400);
    }
  });

  // A tripwire, not a proof (an alias such as `const x = ws.x[l]` then `x[i]` escapes it): core and train
  // reach a layer's arrays through the backend only (backend.ts, state passes), so a backend whose
  // arrays live in device memory runs them. feedback.ts's angle, a log read once per epoch, reads W and B
  // on the host by design.
  it("core and train index, set or fill no layer array or parameter's data on the host", () => {
    const touches = /(\.data|\bws\.[a-zA-Z]+\[[^\]]+\])(\[[^\]]|\.set\(|\.fill\()/;
    const found: string[] = [];
    for (const file of all.filter((f) => ['core', 'train'].includes(layerOf(f)))) {
      readFileSync(file, 'utf8')
        .split('\n')
        .forEach((line, i) => {
          if (touches.test(line) && !line.trim().startsWith('//') && !line.trim().startsWith('*'))
            found.push(`${relative(src, file)}:${i + 1}: ${line.trim()}`);
        });
    }
    expect(found).toEqual([]);
  });
});
