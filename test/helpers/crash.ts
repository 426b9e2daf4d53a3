/**
 * Kill-9 crash rounds shared by the crash test and `npm run bench -- crash`:
 * start the appender child, kill it with SIGKILL at a random moment, then
 * check that every acknowledged index is stored with the body it was
 * acknowledged for.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { openNodeDir } from '../../src/app/node-dir.ts';

const CHILD = fileURLToPath(new URL('./crash-appender.ts', import.meta.url));

export interface CrashRound {
  readonly acknowledged: number;
  readonly lost: string[];
  readonly sizeAfter: number;
}

export function runCrashRound(dir: string, round: number, maxDelayMs: number, random: () => number = Math.random): Promise<Map<number, string>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dir, `r${round}`], { stdio: ['ignore', 'pipe', 'pipe'] });
    const acked = new Map<number, string>();
    let buffer = '';
    let stderr = '';
    let killed = false;
    const kill = (): void => {
      if (!killed) {
        killed = true;
        child.kill('SIGKILL');
      }
    };
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      buffer += chunk;
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        if (line === 'ready') {
          // mostly kill while appending; sometimes at once, during the first batches
          setTimeout(kill, Math.floor(random() * maxDelayMs));
          continue;
        }
        const [index, label] = line.split(' ');
        acked.set(Number(index), label as string);
      }
    });
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    // some kills land while the child is still opening (recovery)
    if (random() < 0.1) setTimeout(kill, Math.floor(random() * 300));
    const guard = setTimeout(kill, 20_000);
    child.on('exit', (code, signal) => {
      clearTimeout(guard);
      if (signal !== 'SIGKILL') return reject(new Error(`appender exited by itself (code ${code}): ${stderr.slice(0, 2000)}`));
      resolve(acked);
    });
  });
}

/** every acknowledged index is present with the body it was acknowledged for; returns what is missing */
export function findLost(dir: string, acked: ReadonlyMap<number, string>): string[] {
  const node = openNodeDir(dir);
  const db = new Database(node.dbPath, { readonly: true });
  try {
    const get = db.prepare<[number], { text: string }>('SELECT text FROM entries WHERE idx = ?');
    const lost: string[] = [];
    for (const [index, label] of acked) {
      const row = get.get(index);
      const [tag, seq] = label.split(':');
      const body = row ? (JSON.parse(row.text) as { body: { tag: string; seq: number } }).body : undefined;
      if (!body || body.tag !== tag || body.seq !== Number(seq)) lost.push(`${index} (${label})`);
    }
    return lost;
  } finally {
    db.close();
  }
}
