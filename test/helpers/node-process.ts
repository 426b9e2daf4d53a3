/**
 * A node served by the real `concord serve` in a child process
 * (CONCORD_RUN_SOURCES=1), on a port found free, for tests that run two or
 * three nodes as separate processes. stop() sends SIGTERM and waits; kill()
 * sends SIGKILL (a node that dies). Every process started is killed when
 * the test process exits, whatever happened.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { BIN } from './cli.ts';

const started = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of started) c.kill('SIGKILL');
});

/** a port nothing listens on now (the OS picks it; it is closed again at once) */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface NodeProcess {
  readonly url: string;
  readonly port: number;
  /** what it printed so far */
  output(): string;
  stop(): Promise<number | null>;
  kill(): Promise<void>;
}

export async function serveProcess(dir: string, port: number, env: Readonly<Record<string, string>> = {}, args: readonly string[] = []): Promise<NodeProcess> {
  const child = spawn(process.execPath, [BIN, 'serve', '--data', dir, '--port', String(port), ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, CONCORD_RUN_SOURCES: '1', CONCORD_LOG_LEVEL: 'warn', ...env },
  });
  started.add(child);
  let out = '';
  child.stderr!.setEncoding('utf8').on('data', (c: string) => (out += c));
  const closed = new Promise<number | null>((resolve) =>
    child.once('close', (code) => {
      started.delete(child);
      resolve(code);
    }),
  );
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.setEncoding('utf8').on('data', (c: string) => {
      out += c;
      const m = / at (http:\/\/127\.0\.0\.1:\d+)\n/.exec(out);
      if (m) resolve(m[1] as string);
    });
    void closed.then(() => reject(new Error(`concord serve ${dir} exited early:\n${out}`)));
  });
  return {
    url,
    port,
    output: () => out,
    async stop() {
      child.kill('SIGTERM');
      return closed;
    },
    async kill() {
      child.kill('SIGKILL');
      await closed;
    },
  };
}

/** polls `check` every 50 ms until it returns a value other than undefined, or fails after `ms` */
export async function eventually<T>(what: string, check: () => Promise<T | undefined>, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last !== undefined ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
