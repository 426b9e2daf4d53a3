/**
 * src/policy does no I/O and reads no clock (DESIGN.md: side effects are
 * passed in): its functions take texts and times, and app/protocol-files.ts
 * reads the files. Checked on the source, so that a `readFile` or a
 * `new Date()` slipping back in fails here rather than in review.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const POLICY_DIR = fileURLToPath(new URL('../../src/policy/', import.meta.url));

/** modules that reach the disk, the network, other processes or the environment */
const IO_MODULES = /^(node:)?(fs|fs\/promises|child_process|net|http|https|dgram|dns|os|worker_threads|readline)$/;
/** the clock, randomness and the process's environment */
const IMPURE_CALLS = [/\bDate\.now\s*\(/, /\bnew Date\s*\(\s*\)/, /\bMath\.random\s*\(/, /\bprocess\./, /\bperformance\.now\s*\(/];
/** the layers above policy (DESIGN.md: nothing below app imports from above it) */
const ABOVE = /^\.\.\/(app|cli|store|server|ingest|federation|review)\//;

test('src/policy imports no I/O module and nothing from the layers above it', () => {
  const found: string[] = [];
  for (const name of readdirSync(POLICY_DIR).filter((n) => n.endsWith('.ts'))) {
    const text = readFileSync(join(POLICY_DIR, name), 'utf8');
    for (const line of text.split('\n')) {
      const from = /^\s*(?:import|export)\b.*\bfrom\s+'([^']+)'/.exec(line)?.[1] ?? /^\s*import\s+'([^']+)'/.exec(line)?.[1];
      if (from === undefined) continue;
      if (IO_MODULES.test(from) || ABOVE.test(from)) found.push(`${name}: ${line.trim()}`);
    }
  }
  assert.deepEqual(found, []);
});

test('src/policy reads no clock, randomness or environment', () => {
  const found: string[] = [];
  for (const name of readdirSync(POLICY_DIR).filter((n) => n.endsWith('.ts'))) {
    const lines = readFileSync(join(POLICY_DIR, name), 'utf8').split('\n');
    lines.forEach((line, i) => {
      const code = line.replace(/\/\/.*$/, '').replace(/^\s*\*.*$/, '');
      if (IMPURE_CALLS.some((re) => re.test(code))) found.push(`${name}:${i + 1}: ${line.trim()}`);
    });
  }
  assert.deepEqual(found, []);
});

test('the check itself finds what it looks for', () => {
  assert.ok(IO_MODULES.test('node:fs/promises') && IO_MODULES.test('fs') && !IO_MODULES.test('node:crypto'));
  assert.ok(ABOVE.test('../app/protocol-files.ts') && !ABOVE.test('../domain/verdict.ts'));
  assert.ok(IMPURE_CALLS.some((re) => re.test('const t = new Date();')) && !IMPURE_CALLS.some((re) => re.test('new Date(ms)')));
});
