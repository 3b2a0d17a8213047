/** The lab's copy of the documents (scripts/build-lab-docs.ts): where their links go in the site. */
import { describe, expect, it } from 'vitest';
import { PAGES, siteLink } from '../../scripts/build-lab-docs.ts';

describe('lab documents: links', () => {
  it('a link to a rendered document goes to its page, anchor kept, from the README and from docs/', () => {
    expect(siteLink('README.md', 'docs/design.md')).toBe('design.html');
    expect(siteLink('README.md', 'docs/experiments.md#catastrophic-forgetting')).toBe('experiments.html#catastrophic-forgetting');
    expect(siteLink('docs/experiments.md', '../README.md#the-browser-lab')).toBe('readme.html#the-browser-lab');
    expect(siteLink('docs/experiments.md', 'design.md')).toBe('design.html');
  });

  it('anchors and other sites stay; a repository file that is not a page has no link', () => {
    expect(siteLink('README.md', '#layout')).toBe('#layout');
    expect(siteLink('README.md', 'https://valibot.dev')).toBe('https://valibot.dev');
    expect(siteLink('README.md', 'docs/results/')).toBeNull();
    expect(siteLink('README.md', 'examples/matmul.ts')).toBeNull();
    expect(siteLink('docs/design.md', 'webgpu.MD')).toBeNull();
  });

  it('every page has its own file name and a source under the repository', () => {
    expect(new Set(PAGES.map((p) => p.page)).size).toBe(PAGES.length);
    for (const p of PAGES) expect(p.source).toMatch(/^(README|docs\/[a-z]+)\.md$/);
  });
});
