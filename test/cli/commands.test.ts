/**
 * The command registry (src/cli/commands/index.ts) lists what `concord
 * --help` shows without loading the commands: its words and summaries must
 * be the commands' own, and nothing `concord --help` imports may reach the
 * heavy modules (SQLite, the Cedar wasm, zod, YAML) that only a command
 * needs. Checked on the source, not by timing.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { COMMANDS } from '../../src/cli/commands/index.ts';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));
/** packages whose loading `concord --help` must not pay for */
const HEAVY = /^(better-sqlite3|@cedar-policy\/|zod|yaml)($|\/)/;
/** `import ... from 'x'`, `export ... from 'x'` and `import 'x'`, not `import type` nor `import('x')` */
const STATIC_IMPORT = /^\s*(?:import|export)\s+(?!type\b)(?:[^;'"]*?\bfrom\s+)?'([^']+)'/gm;

/** every module reached by static imports from `file`, and the packages they import */
function staticGraph(file: string): { modules: Set<string>; packages: Map<string, string> } {
  const modules = new Set<string>();
  const packages = new Map<string, string>();
  const visit = (path: string): void => {
    if (modules.has(path)) return;
    modules.add(path);
    for (const [, from] of readFileSync(path, 'utf8').matchAll(STATIC_IMPORT)) {
      if (from === undefined) continue;
      if (from.startsWith('.')) visit(join(dirname(path), from));
      else packages.set(from, relative(SRC, path));
    }
  };
  visit(file);
  return { modules, packages };
}

describe('the command registry', () => {
  it('lists each command with the words and summary of the command it loads', async () => {
    const seen = new Set<string>();
    for (const entry of COMMANDS) {
      const command = await entry.load();
      assert.deepEqual(command.path, entry.path);
      assert.equal(command.summary, entry.summary, entry.path.join(' '));
      seen.add(command.path.join(' '));
    }
    assert.equal(seen.size, COMMANDS.length, 'no command listed twice');
  });

  it('concord --help imports none of SQLite, Cedar, zod or YAML: commands load when chosen', () => {
    const { modules, packages } = staticGraph(join(SRC, 'cli', 'main.ts'));
    for (const m of modules) assert.ok(existsSync(m), `${m} exists`);
    const heavy = [...packages].filter(([p]) => HEAVY.test(p)).map(([p, by]) => `${by} imports ${p}`);
    assert.deepEqual(heavy, []);
    assert.ok(![...modules].some((m) => m.includes(`${join('cli', 'commands')}/`) && !m.endsWith('index.ts')), 'no command module is imported statically');
  });

  it('the check itself finds a heavy import through a command module', () => {
    const { packages } = staticGraph(join(SRC, 'cli', 'commands', 'checkpoint.ts'));
    assert.ok(
      [...packages.keys()].some((p) => HEAVY.test(p)),
      [...packages.keys()].join(', '),
    );
    const sample =
      "import type { A } from './a.ts';\nimport {\n  b,\n  type C,\n} from './b.ts';\nexport { d } from './d.ts';\nimport './e.ts';\nconst f = await import('./f.ts');\n";
    assert.deepEqual(
      [...sample.matchAll(STATIC_IMPORT)].map((m) => m[1]),
      ['./b.ts', './d.ts', './e.ts'],
    );
  });
});
