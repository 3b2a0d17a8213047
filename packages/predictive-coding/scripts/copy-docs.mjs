// Before packing: the repository's docs that the library's doc comments cite (docs/design.md §2,
// docs/webgpu.md, …) are copied into the package, so that every reference resolves in an install.
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const pkg = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const repoDocs = join(pkg, '..', '..', 'docs');
mkdirSync(join(pkg, 'docs'), { recursive: true });
for (const file of ['design.md', 'architectures.md', 'webgpu.md', 'references.md']) copyFileSync(join(repoDocs, file), join(pkg, 'docs', file));
