/**
 * Witnesses across processes (issue 17's acceptance): three nodes, each the
 * real `concord serve` in its own process with its own data directory: the
 * city's log, witnessed by fed-ice and county with a quorum of 2.
 *
 *  - every checkpoint the city publishes carries both cosignatures, and a
 *    bundle exported from it passes `concord verify --policy`;
 *  - a witness that is down delays witnessing and loses no entry; back, it
 *    catches up from the size it last saw (no 409);
 *  - a split view shown to the two witnesses is found by comparing what
 *    they serve, written as evidence, and `concord verify` reports the fork;
 *  - a city whose directory is rewritten with its own key (an entry
 *    changed, the tree re-signed) is refused by both witnesses (422) with
 *    evidence kept, and its bundle fails `verify --policy`.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { signCheckpoint } from '../../src/ledger/checkpoint.ts';
import { leafHash, leafHashText } from '../../src/ledger/merkle/hash.ts';
import { MemoryTree } from '../../src/ledger/merkle/memory-tree.ts';
import { parseVerifierKey } from '../../src/ledger/note.ts';
import { evaluatePolicy, parseWitnessPolicy } from '../../src/ledger/witness-policy.ts';
import { formatAddCheckpoint, originHash } from '../../src/ledger/witness-protocol.ts';
import { DEMO_SCENARIO } from '../../src/cli/commands/serve.ts';
import { cli, spawnCli } from '../helpers/cli.ts';
import { nodeSigner, rewriteTiles, tempRoot, withDb } from '../helpers/data-dir.ts';
import { eventually, freePort, serveProcess, type NodeProcess } from '../helpers/node-process.ts';

const root = tempRoot('concord-witness-e2e-');
const city = join(root.path, 'city');
const fed = join(root.path, 'fed');
const county = join(root.path, 'county');
const rogue = join(root.path, 'rogue');
const RETRY = { CONCORD_WITNESS_RETRY_MS: '50,400' };
let cityP: NodeProcess;
let fedP: NodeProcess;
let countyP: NodeProcess;
let cityPort: number;
let countyPort: number;
let cityKey: string;
let fedKey: string;
let countyKey: string;
let token: string;
let policyFile: string;
let positions = 0;

interface Status {
  durable: { size: number } | null;
  witnessed: { size: number; cosignatures: number } | null;
  witnesses: Array<{ name: string; size: number; error: string | null }>;
}

async function ok(argv: string[]): Promise<string> {
  const r = await cli(argv);
  assert.equal(r.code, 0, `concord ${argv.join(' ')}: ${r.stderr}${r.stdout}`);
  return r.stdout;
}

async function status(): Promise<Status> {
  return (await (await fetch(`${cityP.url}/v1/witnessing`)).json()) as Status;
}

/** one unit position through the city's API: one entry appended */
async function report(): Promise<void> {
  positions++;
  const r = await fetch(`${cityP.url}/v1/units/positions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ positions: [{ unit: 'cpd-1231', lat: 41.87 + positions / 1e4, lon: -87.66, accuracy: 8, observed: new Date().toISOString() }] }),
  });
  assert.ok(r.status < 300, `${r.status} ${await r.text()}`);
}

/** waits until the city's latest durable checkpoint covers everything appended and is witnessed */
async function witnessedUpToDate(): Promise<Status> {
  return eventually('the latest checkpoint to be witnessed', async () => {
    const s = await status();
    const size = (await (await fetch(`${cityP.url}/v1/proofs/consistency?from=1`)).json()) as { to: number };
    if (process.env['DEBUG_WITNESS']) process.stderr.write(`${JSON.stringify(s)} ${JSON.stringify(size)}\n`);
    return s.witnessed !== null && s.durable !== null && s.witnessed.size === s.durable.size && size.to === s.durable.size ? s : undefined;
  });
}

before(async () => {
  await ok(['scenario', 'run', DEMO_SCENARIO, '--data', city]);
  await ok(['init', '--data', fed, '--origin', 'fed-ice.test.example/log']);
  await ok(['init', '--data', county, '--origin', 'county.test.example/log']);
  await ok(['init', '--data', rogue, '--origin', 'rogue.test.example/log']);
  cityKey = readFileSync(join(city, 'keys', 'log.pub'), 'utf8').trim();
  const rogueKey = readFileSync(join(rogue, 'keys', 'log.pub'), 'utf8').trim();
  for (const w of [fed, county]) {
    await ok(['witness', 'add-log', '--data', w, '--key', cityKey]);
    await ok(['witness', 'add-log', '--data', w, '--key', rogueKey]);
  }
  fedKey = (await ok(['witness', 'key', '--data', fed])).trim();
  countyKey = (await ok(['witness', 'key', '--data', county])).trim();
  const [fedPort, cPort, cityP0] = [await freePort(), await freePort(), await freePort()];
  countyPort = cPort;
  cityPort = cityP0;
  [fedP, countyP] = await Promise.all([serveProcess(fed, fedPort), serveProcess(county, countyPort)]);
  await ok(['witness', 'add', '--data', city, '--key', fedKey, '--url', fedP.url]);
  await ok(['witness', 'add', '--data', city, '--key', countyKey, '--url', countyP.url, '--quorum', '2']);
  token = (await ok(['token', 'create', '--data', city, '--agency', 'city-pd', '--scope', 'write', '--label', 'avl'])).trim().split('\n').pop()!.trim();
  cityP = await serveProcess(city, cityPort, RETRY);
  policyFile = join(root.path, 'policy.txt');
  writeFileSync(
    policyFile,
    `# the city's log, cosigned by both agencies\nlog ${cityKey}\nwitness fed-ice ${fedKey}\nwitness county ${countyKey}\ngroup agencies all fed-ice county\nquorum agencies\n`,
  );
});

after(async () => {
  await Promise.all([cityP?.stop(), fedP?.stop(), countyP?.stop()]);
  root.cleanup();
});

describe('a log witnessed by two other nodes (three processes)', () => {
  it('publishes checkpoints carrying both cosignatures; a bundle from it passes verify --policy', async () => {
    for (let i = 0; i < 5; i++) await report();
    const s = await witnessedUpToDate();
    assert.equal(s.witnessed?.cosignatures, 2);
    const r = await fetch(`${cityP.url}/checkpoint`);
    assert.equal(r.headers.get('concord-witnessed-size'), String(s.witnessed?.size));
    assert.equal(r.headers.get('concord-durable-size'), String(s.durable?.size));
    const note = await r.text();
    const policy = parseWitnessPolicy(readFileSync(policyFile, 'utf8'));
    assert.equal(evaluatePolicy(note, policy, [parseVerifierKey(cityKey)]).satisfied, true);

    const bundle = join(root.path, 'witnessed.bundle.json');
    await ok(['export', 'bundle', '--data', city, '--out', bundle, '--indexes', '0,3', '--witnessed']);
    const v = await spawnCli(['verify', bundle, '--key', cityKey, '--policy', policyFile]);
    assert.equal(v.code, 0, v.stdout + v.stderr);
    assert.match(v.stdout, /witness policy met: cosigned by fed-ice, county/);

    // a policy naming a witness that did not cosign is not met, whatever else cosigned
    const stranger = (await ok(['witness', 'key', '--data', rogue])).trim();
    const strict = join(root.path, 'strict-policy.txt');
    writeFileSync(strict, `witness fed-ice ${fedKey}\nwitness rogue ${stranger}\ngroup g all fed-ice rogue\nquorum g\n`);
    const refused = await spawnCli(['verify', bundle, '--key', cityKey, '--policy', strict]);
    assert.equal(refused.code, 1);
    assert.match(refused.stdout, /does not meet the witness policy/);
  });

  it('a command may ask to be acknowledged once witnessed (Concord-Acknowledge: witnessed); another value is refused before it runs', async () => {
    const send = (ack: string): Promise<Response> =>
      fetch(`${cityP.url}/v1/units/positions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'concord-acknowledge': ack },
        body: JSON.stringify({ positions: [{ unit: 'cpd-1231', lat: 41.9, lon: -87.66, accuracy: 8, observed: new Date().toISOString() }] }),
      });
    const r = await send('witnessed');
    assert.equal(r.status, 201, await r.clone().text());
    assert.equal(r.headers.get('concord-witnessed'), 'yes');
    const { entries } = (await r.json()) as { entries: Array<{ index: number }> };
    const s = await status();
    assert.ok(s.witnessed!.size > entries[entries.length - 1]!.index, JSON.stringify(s));
    positions++;
    const bad = await send('eventually');
    assert.equal(bad.status, 400);
    assert.equal(((await bad.json()) as { field: string }).field, 'headers.concord-acknowledge');
  });

  it('a node served with --acknowledge witnessed answers every command once witnessed; a command may still ask for durable', async () => {
    assert.equal(await cityP.stop(), 0);
    cityP = await serveProcess(city, cityPort, RETRY, ['--acknowledge', 'witnessed']);
    try {
      const send = (headers: Record<string, string>): Promise<Response> =>
        fetch(`${cityP.url}/v1/units/positions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
          body: JSON.stringify({ positions: [{ unit: 'cpd-1231', lat: 41.91, lon: -87.66, accuracy: 8, observed: new Date().toISOString() }] }),
        });
      const r = await send({});
      assert.equal(r.status, 201, await r.clone().text());
      assert.equal(r.headers.get('concord-witnessed'), 'yes');
      const { entries } = (await r.json()) as { entries: Array<{ index: number }> };
      assert.ok((await status()).witnessed!.size > entries[entries.length - 1]!.index);
      const durable = await send({ 'concord-acknowledge': 'durable' });
      assert.equal(durable.status, 201);
      assert.equal(durable.headers.get('concord-witnessed'), null);
      positions += 2;
    } finally {
      assert.equal(await cityP.stop(), 0);
      cityP = await serveProcess(city, cityPort, RETRY);
    }
  });

  it('a witness that is down delays witnessing and loses no entry; back, it catches up from the size it last saw', async () => {
    const before = await witnessedUpToDate();
    const seen = before.witnessed!.size;
    await countyP.stop();
    for (let i = 0; i < 3; i++) await report();
    const behind = await eventually('county to be reported down', async () => {
      const s = await status();
      const c = s.witnesses.find((w) => w.name.startsWith('county'));
      return s.durable!.size > seen && c?.error !== null ? s : undefined;
    });
    // appends went on; the witnessed checkpoint stays where the quorum left it, and is what /checkpoint serves
    assert.equal(behind.witnessed?.size, seen);
    const served = await (await fetch(`${cityP.url}/checkpoint`)).text();
    assert.equal(Number(served.split('\n')[1]), seen);

    countyP = await serveProcess(county, countyPort);
    const s = await witnessedUpToDate();
    assert.ok(s.witnessed!.size >= seen + 3, `witnessed ${s.witnessed!.size}, before ${seen}`);
    const monitor = await (await fetch(`${countyP.url}/witness/${originHash('concord.local/demo')}/checkpoint`)).text();
    assert.equal(Number(monitor.split('\n')[1]), s.witnessed!.size);
    // it resumed from the size it last cosigned: no 409 was ever answered (a 409 from a signed log is kept)
    const kept = readdirSync(join(county, 'witness'));
    assert.ok(!kept.includes('evidence') || readdirSync(join(county, 'witness', 'evidence')).every((f) => !f.includes('-409-')));
    // every entry is in the witnessed tree: the log verifies, and its size counts every append
    const v = await spawnCli(['verify', city, '--policy', policyFile]);
    assert.equal(v.code, 0, v.stdout + v.stderr);
  });

  it('a split view shown to the two witnesses: comparing them writes evidence, and verify reports the fork', async () => {
    const signer = nodeSigner(rogue);
    const rogueKey = readFileSync(join(rogue, 'keys', 'log.pub'), 'utf8').trim();
    const view = (salt: string): string => {
      const t = new MemoryTree();
      for (let i = 0; i < 3; i++) t.append(leafHash(Buffer.from(`${salt}${i}`)));
      return signCheckpoint({ origin: 'rogue.test.example/log', size: 3, root: t.root(), extensions: [] }, signer);
    };
    for (const [w, salt] of [
      [fedP, 'a'],
      [countyP, 'b'],
    ] as const) {
      const r = await fetch(`${w.url}/add-checkpoint`, { method: 'POST', body: formatAddCheckpoint({ oldSize: 0, proof: [], note: view(salt) }) });
      assert.equal(r.status, 200, await r.text());
    }
    const hash = originHash('rogue.test.example/log');
    const evidence = join(root.path, 'split-view.evidence.json');
    const compare = await spawnCli([
      'witness',
      'compare',
      '--data',
      fed,
      '--log-key',
      rogueKey,
      '--out',
      evidence,
      `${fedP.url}/witness/${hash}/checkpoint`,
      `${countyP.url}/witness/${hash}/checkpoint`,
    ]);
    assert.equal(compare.code, 1, compare.stderr);
    assert.match(compare.stdout, /^FORK rogue\.test\.example\/log: two checkpoints of size 3 with different roots/);
    const v = await spawnCli(['verify', evidence, '--key', rogueKey]);
    assert.equal(v.code, 1, v.stderr);
    assert.match(
      v.stdout,
      /^FORK rogue\.test\.example\/log: the log signed two checkpoints of size 3 with different roots \(a split view\) \(observed by fed-ice\.test\.example\/log\/witness\)\n/,
    );
    const json = JSON.parse((await spawnCli(['verify', evidence, '--key', rogueKey, '--json'])).stdout) as { fork: { kind: string } };
    assert.equal(json.fork.kind, 'split-view');
    // an altered evidence file is no proof
    writeFileSync(evidence, readFileSync(evidence, 'utf8').replace('two checkpoints', 'two  checkpoints'));
    const altered = await spawnCli(['verify', evidence, '--key', rogueKey]);
    assert.equal(altered.code, 1);
    assert.match(altered.stdout, /^FAILED evidence/);
  });

  it('a city rewritten with its own key is refused by both witnesses with evidence kept, and its bundle fails verify --policy', async () => {
    const { witnessed } = await witnessedUpToDate();
    assert.equal(await cityP.stop(), 0);
    // the rewrite: one past entry changed, the tiles recomputed, the kept checkpoint re-signed over the new tree
    const size = withDb(city, (db) => {
      // (free text is sealed by the default policy: the edit changes a unit's reported status instead)
      const row = db
        .prepare<[], { idx: number; text: string }>(`SELECT idx, text FROM entries WHERE text LIKE '%"status":"en_route"%' ORDER BY idx LIMIT 1`)
        .get();
      assert.ok(row, 'a unit reported en route');
      db.prepare('UPDATE entries SET text = ? WHERE idx = ?').run(row.text.replace('"status":"en_route"', '"status":"dispatched"'), row.idx);
      rewriteTiles(db);
      db.prepare('DELETE FROM checkpoints').run();
      const texts = db.prepare<[], { text: string }>('SELECT text FROM entries ORDER BY idx').all();
      const t = new MemoryTree();
      for (const r of texts) t.append(leafHashText(r.text));
      writeFileSync(join(city, 'checkpoint'), signCheckpoint({ origin: 'concord.local/demo', size: t.size, root: t.root(), extensions: [] }, nodeSigner(city)));
      return t.size;
    });
    assert.equal(size, witnessed!.size);
    cityP = await serveProcess(city, cityPort, RETRY);
    await report();
    await report();
    // both witnesses refuse (422: the same size with another root, then a proof that fails) and keep evidence
    for (const w of [fed, county]) {
      const files = await eventually(`${w} to keep evidence`, async () => {
        const list = readdirSync(join(w, 'witness', 'evidence'), { withFileTypes: false }) as string[];
        return list.some((f) => f.includes(originHash('concord.local/demo').slice(0, 16)) && f.endsWith('.evidence.json')) ? list : undefined;
      });
      const evidence = files.filter((f) => f.includes(originHash('concord.local/demo').slice(0, 16)) && f.endsWith('.evidence.json'));
      const v = await spawnCli(['verify', join(w, 'witness', 'evidence', evidence[0]!), '--key', cityKey]);
      assert.equal(v.code, 1);
      assert.match(v.stdout, /^FORK concord\.local\/demo/);
    }
    // the city goes on signing its rewritten log (durable grows), and both witnesses refuse it
    const s = await eventually('the refusals to show, and the city to sign beyond what was witnessed', async () => {
      const st = await status();
      return st.witnesses.every((w) => w.error !== null && /^422/.test(w.error)) && st.durable !== null && st.durable.size > witnessed!.size ? st : undefined;
    });
    assert.equal(s.witnessed?.size, witnessed!.size, 'nothing new is witnessed');
    const bundle = join(root.path, 'rewritten.bundle.json');
    await ok(['export', 'bundle', '--data', city, '--out', bundle, '--all']);
    const v = await spawnCli(['verify', bundle, '--key', cityKey, '--policy', policyFile]);
    assert.equal(v.code, 1, v.stdout);
    assert.match(v.stdout, /does not meet the witness policy/);
  });
});
