/**
 * `concord append` refuses input it would otherwise store altered (bytes
 * that are not UTF-8, a key given twice, a number a double does not hold as
 * written, a time that does not exist), naming the line and the field, and
 * writes nothing of it; and a run stopped part-way by the store (another
 * process appending, a refused commit) says exactly which lines it stored as
 * which entries and which it did not.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { appendLines, describeOutcome, type AppendOutcome } from '../../src/cli/commands/append.ts';
import type { InputLine } from '../../src/cli/ndjson-lines.ts';
import { ConcordError } from '../../src/errors.ts';
import type { EntryDraft } from '../../src/ledger/entry.ts';
import type { Appended } from '../../src/store/store.ts';
import { cli, isOneLine, spawnCli } from '../helpers/cli.ts';
import { tempRoot, withDb } from '../helpers/data-dir.ts';

const root = tempRoot('concord-append-');
after(() => root.cleanup());

let n = 0;
async function initDir(): Promise<string> {
  const dir = join(root.path, `node-${n++}`);
  const r = await cli(['init', '--data', dir, '--origin', 'concord.append.example/ledger']);
  assert.equal(r.code, 0, r.stderr);
  return dir;
}

function file(content: string | Buffer): string {
  const p = join(root.path, `in-${n++}.ndjson`);
  writeFileSync(p, content);
  return p;
}

function texts(dir: string): string[] {
  return withDb(dir, (db) =>
    db
      .prepare<[], { text: string }>('SELECT text FROM entries ORDER BY idx')
      .all()
      .map((r) => r.text),
  );
}

const ok = (i: number): string => `{"type":"note.recorded","actor":{"agency":"city-pd"},"body":{"n":${i}}}`;

/**
 * From a file: exit 2, one line naming `reason`, nothing on stdout, nothing
 * stored. From stdin: the same, but the `goodBefore` lines before the bad
 * one are stored (and printed), as they arrived first.
 */
async function refusedBoth(dir: string, input: string | Buffer, reason: RegExp, what: string, goodBefore = 0): Promise<void> {
  const before = texts(dir).length;
  const fromFile = await cli(['append', '--data', dir, '--ndjson', file(input)]);
  assert.equal(fromFile.code, 2, `${what} (file): ${fromFile.stderr}`);
  assert.ok(isOneLine(fromFile.stderr), fromFile.stderr);
  assert.match(fromFile.stderr, reason, `${what} (file)`);
  assert.equal(fromFile.stdout, '');
  assert.equal(texts(dir).length, before, `${what} (file): nothing stored`);
  // the same bytes through stdin
  const fromStdin = await cli(['append', '--data', dir, '--ndjson', '-'], { stdin: input });
  assert.equal(fromStdin.code, 2, `${what} (stdin): ${fromStdin.stderr}`);
  assert.ok(isOneLine(fromStdin.stderr), fromStdin.stderr);
  assert.match(fromStdin.stderr, reason, `${what} (stdin)`);
  assert.equal(fromStdin.stdout.split('\n').filter(Boolean).length, goodBefore, `${what} (stdin): the lines before were stored`);
  assert.equal(texts(dir).length, before + goodBefore, `${what} (stdin): nothing of the bad line stored`);
}

describe('append refuses what it would store altered', () => {
  it('a key given twice (JSON.parse would keep the last actor.agency), at any depth', async () => {
    const dir = await initDir();
    await refusedBoth(
      dir,
      '{"type":"note.recorded","actor":{"agency":"city-pd","agency":"fed-ice"},"body":{}}\n',
      /line 1: actor\.agency: appears twice in one object/,
      'agency twice',
    );
    await refusedBoth(
      dir,
      `${ok(1)}\n{"type":"note.recorded","type":"order.issued","actor":{"agency":"a"},"body":{}}\n`,
      /line 2: type: appears twice/,
      'type twice',
      1,
    );
    await refusedBoth(
      dir,
      `${ok(1)}\n\n{"type":"note.recorded","actor":{"agency":"a"},"body":{"x":[{"k":1,"k":2}]}}\n`,
      /line 3: body\.x\[0\]\.k: appears twice/,
      'deep',
      1,
    );
  });

  it('the types the domain records are refused: no order, withdrawal or notice is appended without being decided', async () => {
    const dir = await initDir();
    for (const type of ['order.issued', 'request.units_withdrawn', 'notification.acknowledged', 'person.appointed']) {
      await refusedBoth(
        dir,
        `${ok(1)}\n{"type":"${type}","actor":{"agency":"city-pd","person":"cpd-harris"},"body":{}}\n`,
        new RegExp(`line 2: type: ${type.replace('.', '\\.')} is a domain event: it is recorded only by the command that decides it`),
        type,
        1,
      );
    }
  });

  it('bytes that are not UTF-8, with the line and the byte', async () => {
    const dir = await initDir();
    const good = Buffer.from(`${ok(1)}\n${ok(2)}\n`);
    const prefix = '{"type":"note.recorded","actor":{"agency":"a"},"body":{"t":"';
    const bad = (bytes: number[]): Buffer => Buffer.concat([good, Buffer.from(prefix), Buffer.from(bytes), Buffer.from('"}}\n')]);
    for (const [bytes, what] of [
      [[0xff], 'a byte never in UTF-8'],
      [[0xc3], 'a sequence cut short'],
      [[0xc0, 0x80], 'an overlong NUL'],
      [[0xed, 0xa0, 0x80], 'an encoded surrogate'],
      [[0xf4, 0x90, 0x80, 0x80], 'beyond U+10FFFF'],
    ] as Array<[number[], string]>) {
      const at = prefix.length + 1;
      await refusedBoth(
        dir,
        bad(bytes),
        new RegExp(`line 3: not UTF-8 text: the bytes from byte ${at} of the line \\(0x${(bytes[0] as number).toString(16)}\\) are not a valid UTF-8 sequence`),
        what,
        2,
      );
    }
    // a byte order mark at the very start is skipped (RFC 8259 §8.1); later it is no JSON
    const r = await cli(['append', '--data', dir, '--ndjson', file(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), good]))]);
    assert.equal(r.code, 0, r.stderr);
    await refusedBoth(
      dir,
      Buffer.concat([good, Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`${ok(3)}\n`)]),
      /line 3: not valid JSON at column 1: U\+FEFF where a value should be/,
      'a BOM inside',
      2,
    );
  });

  it('numbers a double does not hold as written are refused, naming the field; exact ones are stored as written', async () => {
    const dir = await initDir();
    for (const [num, stored] of [
      ['9007199254740993', '9007199254740992'],
      ['12345678901234567890', '12345678901234567000'],
      ['0.10000000000000000001', '0.1'],
    ] as Array<[string, string]>) {
      await refusedBoth(
        dir,
        `${ok(0)}\n{"type":"note.recorded","actor":{"agency":"a"},"body":{"count":${num}}}\n`,
        new RegExp(`line 2: body\\.count: ${num.replace('.', '\\.')} cannot be held exactly as a number: it would be stored as ${stored.replace('.', '\\.')} `),
        num,
        1,
      );
    }
    await refusedBoth(
      dir,
      '{"type":"note.recorded","actor":{"agency":"a"},"body":{"x":1e400}}\n',
      /line 1: body\.x: 1e400 is beyond the range of a number/,
      '1e400',
    );
    const r = await cli([
      'append',
      '--data',
      dir,
      '--ndjson',
      file('{"type":"note.recorded","actor":{"agency":"a"},"body":{"a":0.1,"b":9007199254740992,"c":1.50,"d":1e2}}\n'),
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(texts(dir).at(-1) ?? '', /"body":\{"a":0\.1,"b":9007199254740992,"c":1\.5,"d":100\}/);
  });

  it('a claimed time that does not exist (Date.parse would move it to March 2, or to the next midnight)', async () => {
    const dir = await initDir();
    const claimed = (t: string): string => `{"type":"note.recorded","actor":{"agency":"a"},"claimed":"${t}","body":{}}\n`;
    await refusedBoth(
      dir,
      claimed('2026-02-30T10:00:00Z'),
      /line 1: claimed must be an RFC 3339 time: "2026-02-30T10:00:00Z" has day 30, but February 2026 has 28 days/,
      'February 30',
    );
    await refusedBoth(dir, `${ok(1)}\n${claimed('2026-06-01T24:00:00Z')}`, /line 2: claimed .*has hour 24/, 'hour 24', 1);
    await refusedBoth(
      dir,
      claimed('2026-06-01T23:59:60Z'),
      /line 1: claimed .*a leap second falls only at 23:59:60 UTC on June 30 or December 31/,
      'a leap second on a day without one',
    );
    const r = await cli(['append', '--data', dir, '--ndjson', file(claimed('2016-12-31T23:59:60Z'))]);
    assert.equal(r.code, 0, `a real leap second is kept as sent: ${r.stderr}`);
    assert.match(texts(dir).at(-1) ?? '', /"claimed":"2016-12-31T23:59:60Z"/);
    assert.equal((await cli(['verify', dir])).code, 0);
  });

  it('--at and --until that do not exist are refused naming the flag', async () => {
    const dir = await initDir();
    for (const argv of [
      ['state', '--data', dir, '--incident', 'inc-1', '--at', '2026-02-30T10:00:00Z'],
      ['scenario', 'run', 'scenarios/demo.yaml', '--data', join(root.path, 'never'), '--until', '2026-06-01T24:00:00Z'],
      ['protocol', 'check', '--policies', 'scenarios/policies', '--request', 'scenarios/requests/officer-down.yaml', '--at', '2026-04-31T00:00:00Z'],
    ]) {
      const r = await cli(argv);
      assert.equal(r.code, 2, r.stderr);
      assert.ok(isOneLine(r.stderr), r.stderr);
      assert.match(r.stderr, /--(at|until) must be an RFC 3339 time .*: "[^"]+" has (day|hour)/);
    }
  });
});

/** a store stand-in whose appends the test answers by hand */
function manualStore(): {
  append: (d: EntryDraft) => Promise<Appended>;
  calls: Array<{ draft: EntryDraft; resolve: (index: number) => void; reject: (e: unknown) => void }>;
} {
  const calls: Array<{ draft: EntryDraft; resolve: (index: number) => void; reject: (e: unknown) => void }> = [];
  return {
    calls,
    append: (draft) =>
      new Promise<Appended>((resolve, reject) => {
        calls.push({ draft, resolve: (index) => resolve({ index, received: '2026-06-01T21:00:00.000Z', text: '', leafHash: Buffer.alloc(32) }), reject });
      }),
  };
}

async function* inputOf(lineNos: readonly number[]): AsyncGenerator<InputLine> {
  for (const lineNo of lineNos) yield { lineNo, text: ok(lineNo) };
}

const contended = (): ConcordError => new ConcordError('LEDGER_CONTENDED', 'append failed, nothing was stored: another process keeps appending to this ledger');
const draftOf = (line: InputLine): EntryDraft => JSON.parse(line.text) as EntryDraft;

async function until(cond: () => boolean): Promise<void> {
  while (!cond()) await new Promise((r) => setImmediate(r));
}

describe('a run stopped part-way says what it stored and what it did not', () => {
  it('appends refused by contention among appends that landed: every line accounted for, with its entry', async () => {
    const store = manualStore();
    const lineNos = [1, 2, 3, 5, 6, 7, 8, 9, 10, 11]; // line 4 is blank
    const acked: Array<[number, number]> = [];
    const run = appendLines(inputOf(lineNos), draftOf, store.append, (lineNo, a) => acked.push([lineNo, a.index]));
    await until(() => store.calls.length === lineNos.length);
    // the store answers in its own order: two calls given up on, the others stored at consecutive indexes
    let index = 100;
    store.calls.forEach((c, i) => (i === 4 || i === 7 ? c.reject(contended()) : c.resolve(index++)));
    const outcome = await run;
    assert.deepEqual(acked, [
      [1, 100],
      [2, 101],
      [3, 102],
      [5, 103],
      [7, 104],
      [8, 105],
      [10, 106],
      [11, 107],
    ]);
    const { code, message } = describeOutcome(outcome, lineNos);
    assert.equal(code, 'LEDGER_CONTENDED');
    assert.equal(
      message,
      'line 6 (and 1 other line): another process kept appending to this ledger, and the append gave up after retrying (LEDGER_CONTENDED); ' +
        'stored 8 of the 10 lines: lines 1-5 as entries 100-103, lines 7-8 as entries 104-105, lines 10-11 as entries 106-107; not stored: line 6, line 9',
    );
    assert.ok(!/nothing was stored/.test(message), 'the store speaks of one call; the run stored eight lines');
  });

  it('after a refusal no new line is sent: from a file the lines never sent are listed; from stdin, what was not read is said', async () => {
    // a store that answers each append on the next turn of the event loop, refusing line 2's
    let next = 0;
    const sent: number[] = [];
    const append = (d: EntryDraft): Promise<Appended> => {
      const lineNo = (d.body as { n: number }).n;
      sent.push(lineNo);
      return new Promise((resolve, reject) =>
        setImmediate(() =>
          lineNo === 2 ? reject(contended()) : resolve({ index: next++, received: '2026-06-01T21:00:00.000Z', text: '', leafHash: Buffer.alloc(32) }),
        ),
      );
    };
    // input that arrives a line at a time, as from a pipe
    const lineNos = Array.from({ length: 20 }, (_, i) => i + 1);
    async function* slowly(): AsyncGenerator<InputLine> {
      for (const lineNo of lineNos) {
        await new Promise((r) => setImmediate(r));
        yield { lineNo, text: ok(lineNo) };
      }
    }
    const outcome: AppendOutcome = await appendLines(slowly(), draftOf, append, () => undefined);
    assert.equal(outcome.complete, false);
    const last = sent.at(-1) as number;
    assert.ok(last >= 2 && last < 20, `sending stopped after the refusal was seen (last sent: line ${last})`);
    assert.deepEqual(sent, lineNos.slice(0, last));
    const storedRuns = last === 2 ? '' : last === 3 ? ', line 3 as entry 1' : `, lines 3-${last} as entries 1-${last - 2}`;
    // line 2 and the lines never sent are one run when nothing was sent after line 2
    const notStored = last === 2 ? 'lines 2-20' : `line 2, lines ${last + 1}-20`;
    assert.equal(
      describeOutcome(outcome, lineNos).message,
      `line 2: another process kept appending to this ledger, and the append gave up after retrying (LEDGER_CONTENDED); stored ${last - 1} of the 20 lines: line 1 as entry 0${storedRuns}; not stored: ${notStored}`,
    );
    assert.match(describeOutcome(outcome).message, new RegExp(`; not stored: line 2, whatever follows line ${last} \\(not read\\)$`));
  });

  it('a bad line from stdin after stored ones: the bad line is named and the lines before it are listed as stored', async () => {
    const dir = await initDir();
    const input = `${ok(1)}\n${ok(2)}\n{"type":"note.recorded","actor":{"agency":"a","agency":"b"},"body":{}}\n${ok(4)}\n`;
    const r = await spawnCli(['append', '--data', dir, '--ndjson', '-'], input);
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stdout, '0\n1\n');
    assert.ok(isOneLine(r.stderr), r.stderr);
    assert.match(
      r.stderr,
      /^concord append: line 3: actor\.agency: appears twice in one object .*; stored 2 lines: lines 1-2 as entries 0-1; not stored: line 3, whatever follows line 3 \(not read\)\n$/,
    );
    assert.equal(texts(dir).length, 2);
  });

  it('a commit the disk refuses part-way (the real store): exit 3, and the report agrees with what the ledger holds', async () => {
    const dir = await initDir();
    // the disk refuses one line's entry, as a full disk or an I/O error would refuse a commit
    withDb(dir, (db) =>
      db.exec("CREATE TRIGGER refuse BEFORE INSERT ON entries WHEN NEW.type = 'note.refused' BEGIN SELECT RAISE(ABORT, 'disk says no'); END;"),
    );
    const total = 5000;
    const lines = Array.from({ length: total }, (_, i) => (i === 9 ? `{"type":"note.refused","actor":{"agency":"a"},"body":{"n":${i + 1}}}` : ok(i + 1)));
    const r = await cli(['append', '--data', dir, '--ndjson', file(`${lines.join('\n')}\n`)]);
    assert.equal(r.code, 3, r.stderr);
    assert.ok(isOneLine(r.stderr), r.stderr);
    assert.match(r.stderr, /^concord append: line 10: disk says no \(LEDGER_CORRUPT\); stored [\d,]+ of the 5,000 lines: lines 1-9 as entries 0-8, /);
    assertReportMatchesLedger(r.stderr, dir, total);
    withDb(dir, (db) => db.exec('DROP TRIGGER refuse'));
    assert.equal((await cli(['verify', dir])).code, 0);
  });

  it('another process appending to the same directory at once: whatever happens, every line is stored once or reported not stored', async () => {
    const dir = await initDir();
    const competitor = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('../helpers/crash-appender.ts', import.meta.url)), dir, 'rival'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    // it may stop by itself (its own appends or checkpoints refused by this one's): wait for its end from the start
    const closed = new Promise((r) => competitor.once('close', r));
    try {
      await new Promise<void>((resolve, reject) => {
        let seen = '';
        competitor.stdout.setEncoding('utf8').on('data', (c: string) => {
          seen += c;
          if (seen.includes('ready\n')) resolve();
        });
        competitor.on('exit', () => reject(new Error('the competing appender exited before it was ready')));
      });
      const total = 20_000;
      const r = await spawnCli(['append', '--data', dir, '--ndjson', file(`${Array.from({ length: total }, (_, i) => ok(i + 1)).join('\n')}\n`)]);
      assert.ok(r.code === 0 || r.code === 3, `exit ${r.code}: ${r.stderr}`);
      if (r.code === 0) {
        assert.equal(r.stderr, '');
        assert.equal(r.stdout.trim().split('\n').length, total);
      } else {
        assert.ok(isOneLine(r.stderr), r.stderr);
        assert.match(r.stderr, /LEDGER_CONTENDED/);
        assertReportMatchesLedger(r.stderr, dir, total);
      }
    } finally {
      competitor.kill('SIGKILL');
      await closed;
    }
    assert.equal((await cli(['verify', dir])).code, 0);
  });
});

/**
 * Reads the runs of the one-line report ("lines a-b as entries c-d", "line
 * a as entry c"; "not stored: lines a-b, line a") and checks them against
 * the ledger: each stored line's body.n is at the entry named, each line
 * not stored is nowhere, and every line is in exactly one of the two.
 */
function assertReportMatchesLedger(report: string, dir: string, total: number): void {
  assert.ok(!/more runs/.test(report), `every run listed: ${report}`);
  const [storedPart, missingPart] = report.split('; not stored: ') as [string, string | undefined];
  const stored = new Map<number, number>();
  for (const m of storedPart.matchAll(/lines? (\d+)(?:-(\d+))? as entr(?:y|ies) (\d+)(?:-(\d+))?/g)) {
    const [a, b, c] = [Number(m[1]), Number(m[2] ?? m[1]), Number(m[3])];
    for (let k = 0; k <= b - a; k++) stored.set(a + k, c + k);
  }
  const missing = new Set<number>();
  for (const m of (missingPart ?? '').matchAll(/lines? (\d+)(?:-(\d+))?/g)) {
    for (let l = Number(m[1]); l <= Number(m[2] ?? m[1]); l++) missing.add(l);
  }
  const mine = new Map<number, number>();
  texts(dir).forEach((t, index) => {
    const e = JSON.parse(t) as { actor: { agency: string }; body: { n?: number } };
    if (e.actor.agency !== 'crash-test' && typeof e.body.n === 'number') mine.set(e.body.n, index);
  });
  for (let l = 1; l <= total; l++) {
    assert.ok(stored.has(l) !== missing.has(l), `line ${l} is in exactly one list`);
    assert.equal(mine.get(l), stored.get(l), `line ${l}: the ledger and the report agree`);
  }
}
