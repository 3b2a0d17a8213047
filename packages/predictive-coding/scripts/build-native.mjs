// Builds the optional native addon (native/: the `native` backend's C++ kernels) with node-gyp at
// `npm install`, from the sources in the repository and the Node headers already on this machine —
// nothing is downloaded. It never fails the install: without a compiler, headers or node-gyp, it says
// so in one line and everything runs on wasm. Plain JavaScript: it runs before anything is compiled.
//   node scripts/build-native.mjs          (npm run build:native)
//   PCN_NO_NATIVE=1 npm install            skips it
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const log = join(root, 'native', 'build-native.log');
const skip = (why) => {
  console.log(`predictive-coding: native kernels not built (${why}); the wasm kernels run instead.`);
  process.exit(0);
};

if (process.env.PCN_NO_NATIVE) skip('PCN_NO_NATIVE is set');
// Headers: npm's nodedir setting, else the Node installation's own include/node (official builds and distro packages ship it).
const candidates = [process.env.npm_config_nodedir, resolve(dirname(process.execPath), '..')].filter(Boolean);
const nodedir = candidates.find((d) => existsSync(join(d, 'include', 'node', 'node_api.h')));
if (!nodedir) skip(`no Node headers found in ${candidates.join(' or ')}, and they are not downloaded`);
const gyp = [
  process.env.npm_config_node_gyp,
  join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
].find((p) => p && existsSync(p));
if (!gyp) skip('node-gyp, which npm bundles, was not found');

// node-gyp's rebuild starts by deleting build/: a working addon is kept aside and put back if this build fails.
const built = join(root, 'native', 'build', 'Release', 'pcn_native.node');
const kept = join(root, 'native', 'pcn_native.node.previous');
if (existsSync(built)) copyFileSync(built, kept);
const run = spawnSync(process.execPath, [gyp, 'rebuild', `--nodedir=${nodedir}`, '--directory=native'], { cwd: root, encoding: 'utf8' });
writeFileSync(log, `${run.stdout ?? ''}${run.stderr ?? ''}`);
if (run.status !== 0) {
  const first = `${run.stderr ?? ''}${run.stdout ?? ''}`.split('\n').find((l) => /error|not found|No such/i.test(l) && !/^gyp info/.test(l));
  const compiler = process.env.CXX ? `CXX=${process.env.CXX}` : 'the C++ compiler';
  const why = `the build with ${compiler} failed${first ? `: ${first.trim().slice(0, 160)}` : ''}; full output in native/build-native.log`;
  if (existsSync(kept)) {
    mkdirSync(dirname(built), { recursive: true });
    renameSync(kept, built);
    console.log(`predictive-coding: native kernels not rebuilt (${why}); the previous build stays in use.`);
    process.exit(0);
  }
  skip(why);
}
rmSync(kept, { force: true });
// Installed as a dependency (below node_modules), nothing rebuilds incrementally: keep the addon, drop
// the 1.2 MB of objects, archives and makefiles node-gyp leaves beside it.
if (root.split(sep).includes('node_modules')) {
  for (const entry of readdirSync(join(root, 'native', 'build')))
    if (entry !== 'Release') rmSync(join(root, 'native', 'build', entry), { recursive: true, force: true });
  for (const entry of readdirSync(dirname(built))) if (entry !== basename(built)) rmSync(join(dirname(built), entry), { recursive: true, force: true });
}
try {
  const addon = createRequire(import.meta.url)(built);
  const { kernel, cores } = addon.info();
  console.log(`predictive-coding: native kernels built (${kernel} micro-kernel, ${cores} cores).`);
} catch (e) {
  skip(`the built addon does not load: ${String(e instanceof Error ? e.message : e).split('\n')[0]}`);
}
