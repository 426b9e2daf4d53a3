import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { isConcordError } from '../src/errors.ts';
import { fileProblem, readUserFile } from '../src/files.ts';

const root = mkdtempSync(join(tmpdir(), 'concord-files-'));
after(() => rmSync(root, { recursive: true, force: true }));

test('readUserFile reads a file, and names the file and why in words when it cannot', () => {
  const file = join(root, 'a.txt');
  writeFileSync(file, 'hello é');
  assert.equal(readUserFile(file, 'scenario'), 'hello é');
  assert.throws(
    () => readUserFile(join(root, 'missing.yaml'), 'scenario'),
    (e: unknown) => isConcordError(e, 'NOT_FOUND') && e.message === `cannot read scenario ${join(root, 'missing.yaml')}: no such file or directory`,
  );
  assert.throws(() => readUserFile(root, 'bundle'), (e: unknown) => isConcordError(e, 'BAD_INPUT') && e.message.endsWith(': is a directory, not a file'));
  assert.throws(() => readUserFile(join(file, 'below'), 'request'), (e: unknown) => isConcordError(e, 'BAD_INPUT') && e.message.endsWith(': a part of the path is not a directory'));
});

test('fileProblem: words for the file errors a user causes, nothing for the rest', () => {
  assert.equal(fileProblem(Object.assign(new Error('x'), { code: 'EACCES' })), 'permission denied');
  assert.equal(fileProblem(Object.assign(new Error('x'), { code: 'EIO' })), undefined);
  assert.equal(fileProblem(new Error('x')), undefined);
  assert.equal(fileProblem(null), undefined);
});
