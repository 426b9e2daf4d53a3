/**
 * The README and docs/ stand on their own: every link points at a file in
 * the repository (nothing in a folder the reader does not have), and every
 * source file docs/architecture.md names exists, so the page cannot quietly
 * describe code that moved.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';

const DOCS = [
  'README.md',
  ...readdirSync('docs')
    .filter((f) => f.endsWith('.md'))
    .map((f) => join('docs', f)),
];

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

test('every relative link in the README and docs/ resolves inside the repository', () => {
  for (const doc of DOCS) {
    const text = readFileSync(doc, 'utf8');
    for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      const target = (m[1] as string).split('#')[0] as string;
      if (/^[a-z]+:/.test(target) || target === '') continue;
      const path = join(dirname(doc), target);
      assert.ok(!path.startsWith('..'), `${doc} links outside the repository: ${target}`);
      assert.ok(existsSync(path), `${doc} links to ${target}, which does not exist`);
    }
  }
});

test('the README points at nothing outside the repository, and at docs/architecture.md', () => {
  const readme = readFileSync('README.md', 'utf8');
  assert.doesNotMatch(readme, /DESIGN\.md|shared folder|\.\.\/shared/);
  assert.match(readme, /\]\(docs\/architecture\.md\)/);
  assert.match(readme, /npm install && npm start/);
  assert.match(readme, /npm install && npm test/);
});

test('docs/architecture.md names every folder of src/ and only source files that exist', () => {
  const text = readFileSync('docs/architecture.md', 'utf8');
  for (const folder of readdirSync('src').filter((f) => statSync(join('src', f)).isDirectory())) {
    assert.match(text, new RegExp(`\`src/${folder}/\``), `src/${folder}/ is described`);
  }
  const files = [
    ...filesUnder('src'),
    ...filesUnder('test').filter((f) => !f.startsWith(join('test', 'vectors'))),
    ...filesUnder('bin'),
    ...filesUnder('docs'),
  ];
  for (const m of text.matchAll(/`([\w./-]+\.(?:ts|js|md))`/g)) {
    const named = m[1] as string;
    assert.ok(
      files.some((f) => f === named || f.endsWith(`/${named}`)),
      `docs/architecture.md names ${named}, which is no file of the repository`,
    );
  }
});
