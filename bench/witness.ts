/**
 * `npm run bench -- witness`: witnesses (C2SP tlog-witness) on loopback,
 * each witness a real `concord serve` process with its own data directory.
 *
 * cosign: checkpoints cosigned per second by one witness: add-checkpoint
 *   requests of growing checkpoints, each with its consistency proof, one
 *   log sent one after the other (each needs the size cosigned before), and
 *   8 logs at once; beside the reference, the atomic writes per second this
 *   disk takes (temp file, fsync, rename, fsync of the directory), which a
 *   witness does once per cosignature before it answers.
 * delay: from the moment a node's checkpoint is signed (its commit point)
 *   to the moment k cosignatures are collected and the witnessed checkpoint
 *   is written, with 3 witnesses, for k = 1, 2 and 3; p50, p99, max.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileAtomically } from '../src/app/atomic-file.ts';
import { LedgerService } from '../src/app/ledger.ts';
import { initNodeDir, openNodeDir } from '../src/app/node-dir.ts';
import { EMPTY_WITNESSING, loadOrCreateWitnessSigner, writeWitnessing } from '../src/app/witness-config.ts';
import { WitnessPublisher } from '../src/app/witness-publisher.ts';
import { signCheckpoint } from '../src/ledger/checkpoint.ts';
import { leafHash } from '../src/ledger/merkle/hash.ts';
import { MemoryTree } from '../src/ledger/merkle/memory-tree.ts';
import { generateSigner, parseSignerKey } from '../src/ledger/note.ts';
import { formatAddCheckpoint } from '../src/ledger/witness-protocol.ts';

const BIN = fileURLToPath(new URL('../bin/concord.js', import.meta.url));
const now = (): number => performance.timeOrigin + performance.now();
const began = now();
const progress = (what: string): void => void process.stderr.write(`bench witness: ${((now() - began) / 1000).toFixed(1)} s: ${what}\n`);
const round = (x: number, places = 1): number => Math.round(x * 10 ** places) / 10 ** places;

export interface WitnessBenchOptions {
  /** checkpoints each log sends in the throughput runs */
  readonly checkpoints?: number;
  /** signatures timed in each delay run */
  readonly signatures?: number;
}

interface Served {
  readonly url: string;
  stop(): Promise<void>;
}

function serveWitness(dir: string): Promise<Served> {
  const child: ChildProcess = spawn(process.execPath, [BIN, 'serve', '--data', dir, '--port', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, CONCORD_LOG_LEVEL: 'warn' },
  });
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
  let out = '';
  child.stderr!.setEncoding('utf8').on('data', (c: string) => (out += c));
  return new Promise((resolve, reject) => {
    child.stdout!.setEncoding('utf8').on('data', (c: string) => {
      out += c;
      const m = / at (http:\/\/127\.0\.0\.1:\d+)\n/.exec(out);
      if (m)
        resolve({
          url: m[1] as string,
          async stop() {
            child.kill('SIGTERM');
            await closed;
          },
        });
    });
    void closed.then(() => reject(new Error(`witness ${dir} did not start: ${out}`)));
  });
}

function percentiles(values: number[]): { p50_ms: number; p99_ms: number; max_ms: number; n: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
  return { p50_ms: round(at(0.5), 2), p99_ms: round(at(0.99), 2), max_ms: round(sorted[sorted.length - 1] ?? Number.NaN, 2), n: sorted.length };
}

/** a log in memory that signs growing checkpoints; each request carries the proof from the size before */
function makeLog(i: number, n: number): { key: string; bodies: string[] } {
  const origin = `bench.example/log-${i}`;
  const keys = generateSigner(origin);
  const signer = parseSignerKey(keys.signerKey);
  const tree = new MemoryTree();
  const bodies: string[] = [];
  let old = 0;
  for (let k = 1; k <= n; k++) {
    tree.append(leafHash(Buffer.from(`${origin} entry ${k}`)));
    const note = signCheckpoint({ origin, size: k, root: tree.root(), extensions: [] }, signer);
    bodies.push(formatAddCheckpoint({ oldSize: old, proof: old > 0 ? tree.consistencyProof(old, k) : [], note }));
    old = k;
  }
  return { key: keys.verifierKey, bodies };
}

async function send(url: string, bodies: readonly string[]): Promise<void> {
  for (const body of bodies) {
    const r = await fetch(`${url}/add-checkpoint`, { method: 'POST', body, headers: { 'content-type': 'text/plain' } });
    if (r.status !== 200) throw new Error(`add-checkpoint answered ${r.status}: ${await r.text()}`);
  }
}

export async function benchWitness(opts: WitnessBenchOptions = {}): Promise<Record<string, unknown>> {
  const checkpoints = opts.checkpoints ?? 300;
  const signatures = opts.signatures ?? 100;
  const root = mkdtempSync(join(tmpdir(), 'concord-bench-witness-'));
  const served: Served[] = [];
  try {
    // the reference: what one atomic write costs on this disk
    progress('atomic writes (reference)');
    const refDir = join(root, 'ref');
    initNodeDir(refDir, 'bench.example/ref');
    const writes = 200;
    let t0 = now();
    for (let i = 0; i < writes; i++) await writeFileAtomically(join(refDir, 'state'), `write ${i}\n`);
    const atomicPerS = Math.round((writes * 1000) / (now() - t0));

    // (a) one witness process; logs send their checkpoints over loopback
    progress('one witness: cosignatures per second');
    const single = join(root, 'single');
    initNodeDir(single, 'bench.example/witness');
    const logs = Array.from({ length: 9 }, (_, i) => makeLog(i, checkpoints));
    writeWitnessing(single, { ...EMPTY_WITNESSING, logs: logs.map((l) => ({ origin: l.key.split('+')[0] as string, key: l.key })) });
    const w = await serveWitness(single);
    served.push(w);
    await send(w.url, logs[0]!.bodies.slice(0, 5)); // warm-up
    t0 = now();
    await send(w.url, logs[0]!.bodies.slice(5));
    const oneLog = { checkpoints: checkpoints - 5, per_s: Math.round(((checkpoints - 5) * 1000) / (now() - t0)) };
    t0 = now();
    await Promise.all(logs.slice(1).map((l) => send(w.url, l.bodies)));
    const eightLogs = { checkpoints: 8 * checkpoints, per_s: Math.round((8 * checkpoints * 1000) / (now() - t0)) };
    await w.stop();
    served.pop();

    // (b) a node's checkpoints through 3 witness processes: signature to k cosignatures
    progress('3 witnesses: delay from signature to k cosignatures');
    const city = join(root, 'city');
    initNodeDir(city, 'bench.example/city');
    const cityNode = openNodeDir(city);
    const witnesses = [];
    for (let i = 0; i < 3; i++) {
      const dir = join(root, `w${i}`);
      initNodeDir(dir, `bench.example/w${i}`);
      writeWitnessing(dir, { ...EMPTY_WITNESSING, logs: [{ origin: cityNode.origin, key: cityNode.verifierKey }] });
      const key = loadOrCreateWitnessSigner(openNodeDir(dir)).cosignerVerifierKey;
      const s = await serveWitness(dir);
      served.push(s);
      witnesses.push({ name: key.split('+')[0] as string, key, url: s.url });
    }
    const ledger = await LedgerService.open(city, { checkpoints: { everyMs: 0, everyEntries: 0 } });
    const delay: Record<string, unknown> = {};
    try {
      let entry = 0;
      for (const k of [1, 2, 3]) {
        const publisher = new WitnessPublisher(cityNode, ledger, { logs: [], witnesses, quorum: k }, { backoff: { initialMs: 50, maxMs: 1000 } });
        let signedAt = 0;
        const unsubscribe = ledger.onSigned(() => (signedAt = now()));
        await publisher.start();
        const times: number[] = [];
        try {
          for (let i = 0; i < signatures + 5; i++) {
            await ledger.append([{ type: 'note.recorded', actor: { agency: 'bench' }, body: { n: entry++ } }]);
            const cp = await ledger.checkpoint();
            await publisher.whenWitnessed(cp.size);
            if (i >= 5) times.push(now() - signedAt);
          }
        } finally {
          unsubscribe();
          await publisher.close();
        }
        delay[`k${k}_of_3`] = percentiles(times);
      }
    } finally {
      await ledger.close();
    }
    return {
      cosign: {
        one_log_sequential: oneLog,
        eight_logs_concurrent: eightLogs,
        reference_atomic_writes_per_s: atomicPerS,
        note: 'one witness process; requests over loopback HTTP from this process; each cosignature is persisted (one atomic write) before it is returned',
      },
      delay_signature_to_k_cosignatures: {
        ...delay,
        note: '3 witness processes on loopback; from the node keeping its signed checkpoint to k verified cosignatures and the witnessed checkpoint written; one checkpoint at a time',
      },
    };
  } finally {
    for (const s of served) await s.stop();
    rmSync(root, { recursive: true, force: true });
  }
}
