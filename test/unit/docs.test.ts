import { expect } from 'chai';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

/*
 * The documentation users get is the repository's own: README.md and
 * docs/*.md. These tests keep it self-contained: nothing points at files
 * outside the repository (the old `../shared/` design notes), and every
 * relative link, with its #anchor, lands on something that exists.
 */

const ROOT = path.resolve(__dirname, '../..');

function docFiles(): string[] {
  const docs = readdirSync(path.join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => path.join('docs', f));
  return ['README.md', ...docs.sort()];
}

const read = (file: string): string => readFileSync(path.join(ROOT, file), 'utf8');

/** The text without fenced code blocks and inline code, where `[x](y)` is not a link. */
function prose(markdown: string): string {
  return markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '').replace(/`[^`\n]*`/g, '');
}

/** Link targets: inline `[text](target "title")`, images, and reference definitions `[x]: target`. */
function linkTargets(markdown: string): string[] {
  const text = prose(markdown);
  const inline = [...text.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1] as string);
  const refs = [...text.matchAll(/^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/gm)].map((m) => m[1] as string);
  return [...inline, ...refs];
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const m of prose(markdown).matchAll(/^ {0,3}#{1,6}[ \t]+(.+?)[ \t#]*$/gm)) {
    const text = (m[1] as string).replace(/\[([^\]]*)\]\([^)]*\)/g, '$1');
    const base = text
      .toLowerCase()
      .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
      .replace(/ /g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

const isExternal = (target: string): boolean => /^[a-z][a-z0-9+.-]*:/i.test(target);

describe('documentation (README.md, docs/*.md)', () => {
  const files = docFiles();

  it('finds the README and the docs', () => {
    expect(files).to.include.members(['README.md', 'docs/API.md', 'docs/ARCHITECTURE.md', 'docs/PRODUCT.md']);
  });

  it('never refers to shared/ (files outside the repository that users never see)', () => {
    const hits = files.flatMap((file) =>
      read(file)
        .split('\n')
        .flatMap((line, i) => (line.includes('shared/') ? [`${file}:${i + 1}: ${line.trim()}`] : [])),
    );
    expect(hits, hits.join('\n')).to.deep.equal([]);
  });

  it('has every relative link resolve to an existing file, and every #anchor to a heading', () => {
    const broken: string[] = [];
    let checked = 0;
    for (const file of files) {
      for (const target of linkTargets(read(file))) {
        if (isExternal(target)) continue;
        checked += 1;
        const [rawPath = '', fragment] = target.split('#', 2);
        const linkPath = decodeURIComponent(rawPath);
        const resolved = linkPath === '' ? path.join(ROOT, file) : path.resolve(ROOT, path.dirname(file), linkPath);
        if (!resolved.startsWith(ROOT + path.sep) || !existsSync(resolved)) {
          broken.push(`${file}: ${target} (no such file)`);
          continue;
        }
        if (fragment !== undefined && fragment !== '' && statSync(resolved).isFile() && resolved.endsWith('.md')) {
          const known = anchors(readFileSync(resolved, 'utf8'));
          if (!known.has(decodeURIComponent(fragment))) broken.push(`${file}: ${target} (no heading #${fragment})`);
        }
      }
    }
    expect(checked, 'relative links checked').to.be.greaterThan(10);
    expect(broken, broken.join('\n')).to.deep.equal([]);
  });

  it('computes anchors as GitHub does', () => {
    const md = '# SCF Ledger\n## 1.6 Dual control (双人授权)\n## Walkthrough: the ledger-core scenario with curl\n## Notes\n## Notes\n```\n# not a heading\n```\n';
    expect([...anchors(md)]).to.deep.equal([
      'scf-ledger',
      '16-dual-control-双人授权',
      'walkthrough-the-ledger-core-scenario-with-curl',
      'notes',
      'notes-1',
    ]);
  });
});
