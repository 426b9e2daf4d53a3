/**
 * What `npm start` does: make sure the demo node exists (replaying the demo
 * scenario into a new one), verify its ledger, add the demo logins, then
 * serve it: the API, the public log and the docs, until Ctrl-C. It prints
 * the URL, the docs and one login per role of the demo's story.
 *
 * The city's log is witnessed (docs/witnesses.md): a fed-ice node in
 * DIR-fed-ice, served by a second `concord serve` process on the next port,
 * cosigns the city's checkpoints; once it has, the cosigned checkpoint is
 * printed with where to see it. Ctrl-C stops both.
 */
import { spawn } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEMO_USERS, ensureDemoUsers } from '../app/demo.ts';
import type { LiveNode } from '../app/live-node.ts';
import { isNodeDir, openNodeDir } from '../app/node-dir.ts';
import { loadOrCreateWitnessSigner, readWitnessing, writeWitnessing } from '../app/witness-config.ts';
import { ConcordError } from '../errors.ts';
import { originHash } from '../ledger/witness-protocol.ts';
import { withNodeAccounts } from '../app/node-accounts.ts';
import type { CliIo } from './command.ts';
import { DEMO_MAP, DEMO_POLICIES, serve } from './commands/serve.ts';
import { readMapSource } from '../app/map-source.ts';
import { EXIT_BY_CODE } from './exit-codes.ts';
import { runCli } from './main.ts';
import { oneLine } from './output.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DEMO = join(ROOT, 'scenarios', 'demo.yaml');
const FED_ORIGIN = 'concord.local/fed-ice';

export interface StartOptions {
  /** serve the node once it is ready (npm start); without it, prepare and print only */
  readonly serve?: { readonly port: number; readonly host: string };
}

export async function runStart(argv: string[], io: CliIo, opts: StartOptions = {}): Promise<number> {
  const dir = argv[0] ?? join(ROOT, 'data', 'demo');
  const shown = relative(io.cwd, dir) || '.';
  const fedDir = `${dir}-fed-ice`;
  if (!isNodeDir(dir)) {
    // a new city log: the witness's memory of the old one would refuse it (another tree of the same origin)
    rmSync(fedDir, { recursive: true, force: true });
    if (!existsSync(DEMO)) {
      io.stderr.write(`concord start: the demo scenario ${DEMO} is missing\n`);
      return 2;
    }
    io.stdout.write(`Creating the demo node in ${shown} and replaying ${relative(io.cwd, DEMO)}...\n\n`);
    const code = await runCli(['scenario', 'run', DEMO, '--data', dir], io);
    if (code !== 0) return code;
  } else {
    io.stdout.write(`Demo node ${shown} exists (delete it to replay the demo from scratch).\n\n`);
    const code = await runCli(['state', '--data', dir, '--incident', 'inc-2026-0601-harrison'], io);
    if (code !== 0) {
      // most often a node written by an earlier release, whose entries this one does not read
      io.stderr.write(`concord start: the demo node ${shown} cannot be read; delete it and run npm start again to replay the demo\n`);
      return code;
    }
  }
  io.stdout.write('Verifying the ledger offline:\n  ');
  const verified = await runCli(['verify', dir], io);
  if (verified !== 0) return verified;
  await withNodeAccounts(dir, ensureDemoUsers);
  if (opts.serve === undefined) return 0;

  const width = Math.max(...DEMO_USERS.map((u) => u.role.length));
  io.stdout.write(`
Demo logins, for the console at http://${opts.serve.host}:${opts.serve.port}/ (or POST /v1/session with {"login","password"}):
${DEMO_USERS.map((u) => `  ${u.role.padEnd(width)}  ${u.login.padEnd(10)} ${u.password}`).join('\n')}

Try, once it serves:
  curl -s -c cookies -H 'content-type: application/json' -d '{"login":"chen","password":"demo-chen-2026"}' http://${opts.serve.host}:${opts.serve.port}/v1/session
  curl -s -b cookies http://${opts.serve.host}:${opts.serve.port}/v1/incidents/inc-2026-0601-harrison
  curl -s http://${opts.serve.host}:${opts.serve.port}/checkpoint
  npx concord --help

`);
  // the city's log is witnessed by the fed-ice node: a second process with its own data directory
  let witness: { url: string; stop(): Promise<void> };
  try {
    witness = await startWitness(fedDir, dir, opts.serve, io);
  } catch (e) {
    if (!(e instanceof ConcordError)) throw e;
    io.stderr.write(`concord start: ${oneLine(e.message)}\n`);
    return EXIT_BY_CODE[e.code];
  }
  try {
    return await serve(
      dir,
      {
        port: opts.serve.port,
        host: opts.serve.host,
        policiesDir: DEMO_POLICIES,
        map: readMapSource(DEMO_MAP),
        onServing: (url, live) => showWitnessed(url, witness.url, live, io),
      },
      io,
    );
  } catch (e) {
    if (!(e instanceof ConcordError)) throw e;
    io.stderr.write(`concord start: ${oneLine(e.message)}\n`);
    return EXIT_BY_CODE[e.code];
  } finally {
    await witness.stop();
  }
}

/** what `npm start` does for the witness: a fed-ice node witnessing the city's log, served in its own process */
async function startWitness(fedDir: string, cityDir: string, at: { port: number; host: string }, io: CliIo): Promise<{ url: string; stop(): Promise<void> }> {
  if (!isNodeDir(fedDir)) {
    const code = await runCli(['init', '--data', fedDir, '--origin', FED_ORIGIN], { ...io, stdout: new PassThrough() });
    if (code !== 0) throw new ConcordError('DATA_DIR_UNUSABLE', `cannot create the fed-ice node in ${fedDir}`);
  }
  const city = openNodeDir(cityDir);
  const fed = openNodeDir(fedDir);
  const fedConfig = readWitnessing(fed.dir);
  writeWitnessing(fed.dir, { ...fedConfig, logs: [...fedConfig.logs.filter((l) => l.origin !== city.origin), { origin: city.origin, key: city.verifierKey }] });
  const cosigner = loadOrCreateWitnessSigner(fed).cosignerVerifierKey;
  const port = at.port === 0 ? 0 : at.port + 1;
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'concord.js'), 'serve', '--data', fed.dir, '--port', String(port), '--host', at.host], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, CONCORD_LOG_LEVEL: process.env['CONCORD_LOG_LEVEL'] ?? 'warn' },
  });
  const killOnExit = (): void => void child.kill('SIGTERM');
  process.once('exit', killOnExit);
  const closed = new Promise<number | null>((resolve) => child.once('close', resolve));
  let out = '';
  child.stderr.setEncoding('utf8').on('data', (c: string) => io.stderr.write(c));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (c: string) => {
      out += c;
      const m = / at (https?:\/\/\S+)\n/.exec(out);
      if (m) resolve(m[1] as string);
    });
    void closed.then(() => reject(new ConcordError('BAD_USAGE', `the fed-ice witness did not start (port ${port} in use?): ${out.trim()}`)));
  });
  const cityConfig = readWitnessing(city.dir);
  const name = cosigner.split('+')[0] as string;
  writeWitnessing(city.dir, { ...cityConfig, witnesses: [...cityConfig.witnesses.filter((w) => w.name !== name), { name, key: cosigner, url }], quorum: 1 });
  io.stdout.write(`The fed-ice node (${relative(io.cwd, fed.dir) || '.'}) witnesses the city's log at ${url}, in its own process.\n\n`);
  return {
    url,
    async stop() {
      process.off('exit', killOnExit);
      child.kill('SIGTERM');
      await closed;
    },
  };
}

/** once the city's checkpoint is cosigned by fed-ice, prints it and where to see it */
async function showWitnessed(cityUrl: string, fedUrl: string, live: LiveNode, io: CliIo): Promise<void> {
  const durable = await live.ledger.latestCheckpoint();
  const timeout = new Promise<'late'>((resolve) => setTimeout(resolve, 15_000, 'late').unref());
  const done = await Promise.race([live.publisher.whenWitnessed(durable?.size ?? 0).then(() => 'witnessed' as const), timeout]);
  const witnessed = live.publisher.witnessedCheckpoint();
  if (done === 'late' || witnessed === undefined) {
    io.stdout.write(`\nThe fed-ice witness has not cosigned yet; see ${cityUrl}/v1/witnessing\n`);
    return;
  }
  io.stdout.write(`
The city's checkpoint, cosigned by the fed-ice witness (C2SP tlog-cosignature):
${witnessed.note.replace(/^(?=.)/gm, '  ').trimEnd()}

  curl -s ${cityUrl}/checkpoint                              the checkpoint as published, with the cosignature
  curl -s ${cityUrl}/v1/witnessing                           durable and witnessed sizes, each witness's state
  curl -s ${fedUrl}/witness/${originHash(live.node.origin)}/checkpoint   what the witness cosigned (for monitors)
`);
}
