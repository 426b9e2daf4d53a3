import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { isConcordError } from '../src/errors.ts';
import { fileProblem, formatBytes, readUserFile } from '../src/files.ts';

const root = mkdtempSync(join(tmpdir(), 'concord-files-'));
after(() => rmSync(root, { recursive: true, force: true }));

test('readUserFile reads a file, and names the file and why in words when it cannot', () => {
  const file = join(root, 'a.txt');
  writeFileSync(file, 'hello é');
  assert.equal(readUserFile(file, 'scenario', 1024), 'hello é');
  assert.throws(
    () => readUserFile(join(root, 'missing.yaml'), 'scenario', 1024),
    (e: unknown) => isConcordError(e, 'NOT_FOUND') && e.message === `cannot read scenario ${join(root, 'missing.yaml')}: no such file or directory`,
  );
  assert.throws(
    () => readUserFile(root, 'bundle', 1024),
    (e: unknown) => isConcordError(e, 'BAD_INPUT') && e.message.endsWith(': is a directory, not a file'),
  );
  assert.throws(
    () => readUserFile(join(file, 'below'), 'request', 1024),
    (e: unknown) => isConcordError(e, 'BAD_INPUT') && e.message.endsWith(': a part of the path is not a directory'),
  );
});

test('readUserFile: a file of exactly the limit is read; one byte more is refused, naming the file, its size and the limit', () => {
  const file = join(root, 'limit.txt');
  writeFileSync(file, 'x'.repeat(1025));
  assert.equal(readUserFile(file, 'request', 1025).length, 1025);
  assert.throws(
    () => readUserFile(file, 'request', 1024),
    (e: unknown) =>
      isConcordError(e, 'BAD_INPUT') && e.message === `cannot read request ${file}: 1,025 bytes (1.0 KiB) is larger than the limit of 1,024 bytes (1 KiB)`,
  );
});

test('readUserFile: a 200 MB file is refused from its size, without being read', () => {
  const file = join(root, 'huge.yaml');
  writeFileSync(file, '');
  // sparse: takes no disk, and reading it would take 200 MB of memory
  truncateSync(file, 200 * 1024 * 1024);
  const before = process.memoryUsage().rss;
  assert.throws(
    () => readUserFile(file, 'scenario', 8 * 1024 * 1024),
    (e: unknown) =>
      isConcordError(e, 'BAD_INPUT') &&
      e.message === `cannot read scenario ${file}: 209,715,200 bytes (200 MiB) is larger than the limit of 8,388,608 bytes (8 MiB)`,
  );
  assert.ok(process.memoryUsage().rss - before < 50 * 1024 * 1024, 'the file was not read into memory');
});

test('readUserFile: what stat cannot size (a device) is read only up to the limit', () => {
  // /dev/zero reports size 0 and never ends
  assert.throws(
    () => readUserFile('/dev/zero', 'request', 100_000),
    (e: unknown) => isConcordError(e, 'BAD_INPUT') && /\/dev\/zero: more than 100,000 bytes \(97\.7 KiB\) is larger than the limit/.test(e.message),
  );
});

test('formatBytes: exact, then in the unit a person reads', () => {
  assert.equal(formatBytes(512), '512 bytes');
  assert.equal(formatBytes(1024 * 1024), '1,048,576 bytes (1 MiB)');
  assert.equal(formatBytes(1536), '1,536 bytes (1.5 KiB)');
});

test('fileProblem: words for the file errors a user causes, nothing for the rest', () => {
  assert.equal(fileProblem(Object.assign(new Error('x'), { code: 'EACCES' })), 'permission denied');
  assert.equal(fileProblem(Object.assign(new Error('x'), { code: 'EIO' })), undefined);
  assert.equal(fileProblem(new Error('x')), undefined);
  assert.equal(fileProblem(null), undefined);
});
