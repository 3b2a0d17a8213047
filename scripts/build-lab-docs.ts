/**
 * The project's documents, served with the lab so the page can link to them:
 * README.md and docs/*.md rendered to HTML (markdown-it, GitHub-style heading
 * anchors) in lab/public/docs/, the images they show copied beside them, and
 * the library's API reference (TypeDoc, as `npm run docs` makes it) in
 * lab/public/api/. Links between the documents point at the rendered pages;
 * a link to anything else in the repository (a source file, a results folder)
 * keeps its text and loses its link, with the path in a tooltip.
 *
 *   npm run build:lab   (runs this before vite build)
 *
 * Cached like the lab's models: lab/public/docs/docs.hash records the
 * fingerprint of what made them, and an unchanged fingerprint skips the work
 * (TypeDoc alone takes several seconds).
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import GithubSlugger from 'github-slugger';
import MarkdownIt from 'markdown-it';
import { labAssetsHash } from './lab-assets-hash.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'lab/public/docs');
const api = join(root, 'lab/public/api');
const STAMP = join(out, 'docs.hash');

/** The pages: their source (from the repository root), their file in the site, their title in the menu. */
export const PAGES = [
  { source: 'README.md', page: 'readme.html', title: 'README' },
  { source: 'docs/design.md', page: 'design.html', title: 'Design and math' },
  { source: 'docs/architectures.md', page: 'architectures.html', title: 'Architectures' },
  { source: 'docs/experiments.md', page: 'experiments.html', title: 'Experiments' },
  { source: 'docs/webgpu.md', page: 'webgpu.html', title: 'WebGPU' },
  { source: 'docs/references.md', page: 'references.html', title: 'References' },
] as const;

const INPUTS = [
  ...PAGES.map((p) => p.source),
  'docs/experiments',
  'packages/predictive-coding/src',
  'packages/predictive-coding/README.md',
  'typedoc.json',
  'scripts/build-lab-docs.ts',
];

/** Where a link in `from` (a repository path) to `href` goes in the site: a page (with its #anchor), or null when it is not one. */
export function siteLink(from: string, href: string): string | null {
  if (/^[a-z]+:/i.test(href) || href.startsWith('#')) return href;
  const [path, anchor] = href.split('#', 2);
  const target = posix.normalize(posix.join(posix.dirname(from), path));
  const page = PAGES.find((p) => p.source === target);
  return page ? `${page.page}${anchor === undefined ? '' : `#${anchor}`}` : null;
}

function render(source: string, images: Set<string>): string {
  const md = new MarkdownIt({ html: false, linkify: false });
  const slugger = new GithubSlugger();
  // Headings get GitHub's anchors, so links such as experiments.md#catastrophic-forgetting land.
  md.core.ruler.push('anchors', (state) => {
    for (const [k, token] of state.tokens.entries()) {
      if (token.type !== 'heading_open') continue;
      const text = state.tokens[k + 1].children?.map((c) => c.content).join('') ?? '';
      token.attrSet('id', slugger.slug(text));
    }
  });
  // Links: rewritten to the site's pages; a link to a repository file is dropped (its text kept).
  md.core.ruler.push('links', (state) => {
    for (const token of state.tokens) {
      const open: boolean[] = [];
      for (const child of token.children ?? []) {
        if (child.type === 'link_open') {
          const to = siteLink(source, child.attrGet('href') ?? '');
          open.push(to !== null);
          if (to !== null) child.attrSet('href', to);
          else child.meta = { path: posix.normalize(posix.join(posix.dirname(source), child.attrGet('href') ?? '')) };
        } else if (child.type === 'link_close' && open.pop() === false) child.meta = { dropped: true };
        else if (child.type === 'image') {
          const src = child.attrGet('src') ?? '';
          if (!/^[a-z]+:/i.test(src)) images.add(posix.normalize(posix.join(posix.dirname(source), src)));
        }
      }
    }
  });
  const link = md.renderer.rules.link_open;
  md.renderer.rules.link_open = (tokens, i, options, env, self) => {
    const path = tokens[i].meta?.path;
    if (path) return `<span class="repo-path" title="in the repository: ${md.utils.escapeHtml(path)}">`;
    return link ? link(tokens, i, options, env, self) : self.renderToken(tokens, i, options);
  };
  md.renderer.rules.link_close = (tokens, i, options, _env, self) => (tokens[i].meta?.dropped ? '</span>' : self.renderToken(tokens, i, options));
  // Images sit beside the page at the same relative path as in the repository (docs/…), README's too.
  const html = md.render(readFileSync(join(root, source), 'utf8'));
  return source === 'README.md' ? html.replace(/src="docs\//g, 'src="') : html;
}

function page(title: string, body: string): string {
  const menu = PAGES.map((p) => `<a href="${p.page}">${p.title}</a>`).join(' · ');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8" /><meta name="viewport" content="width=device-width, initial-scale=1" />
<title>${title} — predictive-coding</title>
<style>
body { font-family: system-ui, sans-serif; max-width: 52rem; margin: 0 auto; padding: 1rem 1.5rem 3rem; color: #1d3557; line-height: 1.5; }
nav { font-size: 0.95rem; border-bottom: 1px solid #ddd; padding-bottom: 0.5rem; }
pre { background: #f4f4f4; padding: 0.6rem; overflow-x: auto; }
code { font-size: 0.9em; overflow-wrap: anywhere; }
img { max-width: 100%; }
table { border-collapse: collapse; display: block; overflow-x: auto; }
td, th { border: 1px solid #ddd; padding: 0.2rem 0.5rem; }
.repo-path { border-bottom: 1px dotted #999; }
</style></head>
<body><nav><a href="../index.html">← the lab</a> · ${menu} · <a href="../api/index.html">API reference</a></nav>
${body}
</body></html>
`;
}

function main(): void {
  const hash = labAssetsHash(root, INPUTS);
  if (existsSync(STAMP) && readFileSync(STAMP, 'utf8').trim() === hash && existsSync(join(api, 'index.html'))) {
    console.log(`lab docs in ${out} are up to date (inputs' hash ${hash.slice(0, 12)})`);
    return;
  }
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const images = new Set<string>();
  for (const p of PAGES) writeFileSync(join(out, p.page), page(p.title, render(p.source, images)));
  for (const image of images) {
    const to = join(out, image.replace(/^docs\//, ''));
    mkdirSync(dirname(to), { recursive: true });
    copyFileSync(join(root, image), to);
  }
  const typedoc = join(root, 'node_modules/typedoc/bin/typedoc');
  // The reference links back to the lab (the rendered documents have their own menu): typedoc.json plus links, as an options file.
  const options = join(tmpdir(), `pcn-lab-typedoc-${process.pid}.json`);
  writeFileSync(
    options,
    JSON.stringify({ extends: [join(root, 'typedoc.json')], navigationLinks: { '← the lab': '../index.html', README: '../docs/readme.html' } }),
  );
  try {
    execFileSync(process.execPath, [typedoc, '--options', options, '--out', api, '--logLevel', 'Warn'], { cwd: root, stdio: 'inherit' });
  } finally {
    rmSync(options, { force: true });
  }
  writeFileSync(STAMP, `${hash}\n`);
  console.log(`lab docs: ${PAGES.length} pages and ${images.size} images in ${out}, the API reference in ${api}`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
