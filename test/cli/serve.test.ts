/**
 * `concord serve` as a user runs it: the real bin in a child process, on a
 * demo node; it prints where it serves, answers, and on SIGTERM stops
 * taking requests, finishes, signs and exits 0. Bad flags exit 2 with one line.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync } from 'node:fs';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { DEMO_SCENARIO } from '../../src/cli/commands/serve.ts';
import { BIN, cli, isOneLine } from '../helpers/cli.ts';
import { tempRoot } from '../helpers/data-dir.ts';

const root = tempRoot('concord-serve-');
const demo = join(root.path, 'demo');
before(async () => {
  const r = await cli(['scenario', 'run', DEMO_SCENARIO, '--data', demo]);
  assert.equal(r.code, 0, r.stderr);
});
after(root.cleanup);

/** `concord serve` on `dir` in a child process; resolves with its URL once it serves */
async function serveProcess(dir: string): Promise<{ url: string; child: ReturnType<typeof spawn>; closed: Promise<number | null>; output: () => string }> {
  const child = spawn(process.execPath, [BIN, 'serve', '--data', dir, '--port', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, CONCORD_RUN_SOURCES: '1' },
  });
  let out = '';
  child.stderr.setEncoding('utf8').on('data', (c: string) => (out += c));
  const closed = new Promise<number | null>((resolve) => child.once('close', resolve));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (c: string) => {
      out += c;
      const m = /at (http:\/\/127\.0\.0\.1:\d+)\n/.exec(out);
      if (m) resolve(m[1] as string);
    });
    child.once('close', () => reject(new Error(`serve exited early: ${out}`)));
  });
  return { url, child, closed, output: () => out };
}

describe('concord serve', () => {
  it('serves the node, prints its URL and docs, and on SIGTERM exits 0 having stopped cleanly', async () => {
    const child = spawn(process.execPath, [BIN, 'serve', '--data', demo, '--port', '0'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, CONCORD_RUN_SOURCES: '1' },
    });
    let stdout = '';
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const closed = new Promise<number | null>((resolve) => child.once('close', resolve));
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.setEncoding('utf8').on('data', (c: string) => {
        stdout += c;
        const m = /at (http:\/\/127\.0\.0\.1:\d+)\n/.exec(stdout);
        if (m) resolve(m[1] as string);
      });
      child.once('close', () => reject(new Error(`serve exited early: ${stdout}${stderr}`)));
    });
    try {
      assert.match(stdout, new RegExp(`console: +${url}/\n`));
      assert.match(stdout, new RegExp(`API docs: +${url}/docs`));
      assert.equal((await fetch(`${url}/ready`)).status, 200);
      const cp = await (await fetch(`${url}/checkpoint`)).text();
      assert.match(cp, /^concord\.local\/demo\n\d+\n/);
    } finally {
      child.kill('SIGTERM');
    }
    assert.equal(await closed, 0, stderr);
    // the request log is there (written by then: the log is flushed on the way out)
    assert.match(stderr, /"url":"\/checkpoint"/);
    assert.match(stdout, /SIGTERM: finishing the requests under way, signing a last checkpoint\.\.\.\nstopped\n$/);
    assert.equal((await cli(['verify', demo])).code, 0);
  });

  it('npm start (bin/start.js): prepares the demo node, prints the logins, serves it witnessed by a fed-ice node in a second process; a printed login works; the cosigned checkpoint is shown; Ctrl-C stops both', async () => {
    const dir = join(root.path, 'start-demo');
    let fedUrl = '';
    const child = spawn(process.execPath, [fileURLToPath(new URL('../../bin/start.js', import.meta.url)), dir], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, CONCORD_RUN_SOURCES: '1', PORT: '0' },
    });
    let stdout = '';
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const closed = new Promise<number | null>((resolve) => child.once('close', resolve));
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.setEncoding('utf8').on('data', (c: string) => {
        stdout += c;
        const m = /serves concord\.local\/demo at (http:\/\/127\.0\.0\.1:\d+)\n/.exec(stdout);
        if (m) resolve(m[1] as string);
      });
      child.once('close', () => reject(new Error(`start exited early: ${stdout}${stderr}`)));
    });
    try {
      // the login printed for the watch commander opens a session that reads the incident
      const m = /city-pd watch commander +(\S+) +(\S+)\n/.exec(stdout);
      assert.ok(m, stdout);
      const login = await fetch(`${url}/v1/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ login: m[1], password: m[2] }),
      });
      assert.equal(login.status, 201);
      const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] as string;
      const incident = await fetch(`${url}/v1/incidents/inc-2026-0601-harrison`, { headers: { cookie } });
      assert.equal(incident.status, 200);
      assert.equal(((await incident.json()) as { incident: { id: string } }).incident.id, 'inc-2026-0601-harrison');
      // no password or session id is ever logged
      assert.ok(!stderr.includes(m[2] as string));
      assert.ok(!stderr.includes(cookie.split('=')[1] as string));
      // the city's log is witnessed by the fed-ice node, in a second process: the cosigned checkpoint is shown, and served
      const deadline = Date.now() + 30_000;
      while (!/cosigned by the fed-ice witness/.test(stdout) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      assert.match(stdout, /The fed-ice node \(.*start-demo-fed-ice\) witnesses the city's log at (http:\/\/127\.0\.0\.1:\d+), in its own process/);
      assert.match(stdout, /cosigned by the fed-ice witness[^\n]*\n(?: {2}.*\n|\n)*? {2}— concord\.local\/fed-ice\/witness /);
      fedUrl = /witnesses the city's log at (\S+), in its own process/.exec(stdout)![1] as string;
      assert.equal((await fetch(`${fedUrl}/ready`)).status, 200);
      assert.match(await (await fetch(`${url}/checkpoint`)).text(), /\n— concord\.local\/fed-ice\/witness \S+\n$/);
    } finally {
      child.kill('SIGINT');
    }
    assert.equal(await closed, 0, stderr);
    assert.match(stdout, /stopped\n$/);
    // the witness process was stopped with it
    await assert.rejects(fetch(`${fedUrl}/ready`));
  });

  for (const [name, argv, pattern] of [
    ['a port that is not a number', ['--port', 'http'], /--port must be a number/],
    ['a port out of range', ['--port', '70000'], /--port must be a number/],
    ['policies that are not there', ['--policies', '/nonexistent/policies'], /no such folder/],
    ['an acknowledgement that is not one', ['--acknowledge', 'eventually'], /--acknowledge must be durable or witnessed/],
    ['acknowledging once witnessed on a node with no witnesses', ['--port', '0', '--acknowledge', 'witnessed'], /publishes through no witnesses/],
    ['a map that is neither a style URL nor a GeoJSON file', ['--map', 'streets.txt'], /--map streets\.txt: give the URL of a MapLibre style/],
    ['a map file that is not there', ['--map', '/nonexistent/streets.geojson'], /cannot read the basemap \/nonexistent\/streets\.geojson/],
  ] as const) {
    it(`refuses ${name}: exit 2, one line`, async () => {
      const r = await cli(['serve', '--data', demo, ...argv]);
      assert.equal(r.code, 2, r.stderr);
      assert.ok(isOneLine(r.stderr), r.stderr);
      assert.match(r.stderr, pattern);
    });
  }

  it('refuses a port in use and a host that is not ours: exit 2, one line', async () => {
    const { createServer } = await import('node:net');
    const taken = createServer().listen(0, '127.0.0.1');
    await new Promise((r) => taken.once('listening', r));
    try {
      const port = (taken.address() as { port: number }).port;
      const r = await cli(['serve', '--data', demo, '--port', String(port)]);
      assert.equal(r.code, 2, r.stderr);
      assert.ok(isOneLine(r.stderr), r.stderr);
      assert.match(r.stderr, /is in use by another process/);
    } finally {
      taken.close();
    }
    const r = await cli(['serve', '--data', demo, '--port', '0', '--host', '192.0.2.1']);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /is not an address of this machine/);
  });

  it('refuses a directory that is not a node: exit 2', async () => {
    const r = await cli(['serve', '--data', join(root.path, 'nothing'), '--port', '0']);
    assert.equal(r.code, 2, r.stderr);
    assert.ok(isOneLine(r.stderr), r.stderr);
  });

  it("a command's Idempotency-Key outlives a kill -9: the retry gets the first answer and nothing is appended twice", async () => {
    const dir = join(root.path, 'idempotency');
    cpSync(demo, dir, { recursive: true });
    const made = await cli(['token', 'create', '--data', dir, '--agency', 'fed-ice', '--scope', 'write', '--label', 'retrying client', '--json']);
    assert.equal(made.code, 0, made.stderr);
    const { token } = JSON.parse(made.stdout) as { token: string };
    const post = (url: string, key: string, text: string): Promise<Response> =>
      fetch(`${url}/v1/incidents/inc-2026-0601-harrison/messages`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': key },
        body: JSON.stringify({ text, agencies: ['fed-ice'] }),
      });

    const first = await serveProcess(dir);
    let answer: unknown;
    try {
      const r = await post(first.url, 'retry-me-1', 'gate 2 is blocked');
      assert.equal(r.status, 201);
      answer = await r.json();
    } finally {
      // the server dies with the answer given: whatever it held in memory is gone
      first.child.kill('SIGKILL');
      await first.closed;
    }
    const again = await serveProcess(dir);
    try {
      const retry = await post(again.url, 'retry-me-1', 'gate 2 is blocked');
      assert.equal(retry.status, 201);
      assert.equal(retry.headers.get('idempotent-replayed'), 'true');
      assert.deepEqual(await retry.json(), answer, 'the first answer, rebuilt from what was stored with it');
      // the same key with another request is refused, and a new key runs
      const other = await post(again.url, 'retry-me-1', 'gate 3 is blocked');
      assert.equal(other.status, 422);
      assert.equal(((await other.json()) as { code: string }).code, 'IDEMPOTENCY_CONFLICT');
      const fresh = await post(again.url, 'retry-me-2', 'gate 3 is blocked');
      assert.equal(fresh.status, 201);
      assert.equal(fresh.headers.get('idempotent-replayed'), null);
      const db = new Database(join(dir, 'ledger.db'), { readonly: true });
      try {
        // a message's text is sealed by the default sealing policy: it is kept among the disclosures, once per message stored
        const stored = (text: string): number =>
          (
            db
              .prepare(
                "SELECT count(*) AS n FROM entries e JOIN disclosures d ON d.idx = e.idx WHERE e.type = 'message.sent' AND d.path = '/text' AND d.value = ?",
              )
              .get(JSON.stringify(text)) as { n: number }
          ).n;
        assert.equal(stored('gate 2 is blocked'), 1, 'the first message is stored once');
        assert.equal(stored('gate 3 is blocked'), 1);
      } finally {
        db.close();
      }
    } finally {
      again.child.kill('SIGTERM');
      await again.closed;
    }
    assert.equal((await cli(['verify', dir])).code, 0);
  });
});
