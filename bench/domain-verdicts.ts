/**
 * Verdicts per second with prepared policies: the demo protocol book is loaded
 * once, then requests with varied facts are evaluated against it, each call
 * going through evaluateRequest (version lookup, fact mapping, the Cedar call
 * on the cached policy set, the verdict). The stateless engine call, which
 * re-parses the policies every time, is measured beside it for comparison.
 * Run alone: node --import tsx bench/domain-verdicts.ts
 */
import { fileURLToPath, pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { AGENCY_KINDS, OPERATION_KINDS, REQUEST_CATEGORIES, URGENCIES } from '../src/domain/vocabulary.ts';
import { loadProtocolBook } from '../src/app/protocol-files.ts';
import { evaluateRequest, versionInEffect, type RequestFacts } from '../src/policy/index.ts';
import { authorizeUnprepared } from '../src/policy/cedar-engine.ts';
import { requestToCedar } from '../src/policy/facts.ts';

const POLICIES_DIR = join(fileURLToPath(new URL('.', import.meta.url)), '..', 'scenarios', 'policies');
const AT = '2026-03-14T21:05:00-05:00';

export interface VerdictBench {
  verdicts_per_s: number;
  /** the same rate over this process's CPU time: less disturbed by other load on the machine */
  cpu_verdicts_per_s: number;
  verdicts: number;
  elapsed_s: number;
  stateless_verdicts_per_s: number;
  speedup: number;
  policies: number;
  decisions: Record<string, number>;
}

export async function benchVerdicts(options: { seconds?: number } = {}): Promise<VerdictBench> {
  const book = await loadProtocolBook(POLICIES_DIR);
  const facts = sampleFacts(1024);
  const pick = (i: number): RequestFacts => facts[i % facts.length] as RequestFacts;

  for (let i = 0; i < 2000; i++) evaluateRequest(book, pick(i), AT); // warm-up

  const decisions: Record<string, number> = {};
  const budgetMs = (options.seconds ?? 1.5) * 1000;
  let n = 0;
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < budgetMs) {
    for (let j = 0; j < 500; j++, n++) {
      const v = evaluateRequest(book, pick(n), AT);
      decisions[v.decision] = (decisions[v.decision] ?? 0) + 1;
    }
    elapsed = performance.now() - start;
  }
  const verdictsPerS = n / (elapsed / 1000);
  const cpu = process.cpuUsage(cpuStart);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;

  const version = versionInEffect(book, 'city-pd', AT);
  const statelessN = 300;
  const t = performance.now();
  for (let i = 0; i < statelessN; i++) authorizeUnprepared(version.cedarPolicies, requestToCedar(pick(i)));
  const statelessPerS = statelessN / ((performance.now() - t) / 1000);

  return {
    verdicts_per_s: Math.round(verdictsPerS),
    cpu_verdicts_per_s: Math.round(n / cpuSeconds),
    verdicts: n,
    elapsed_s: Number((elapsed / 1000).toFixed(3)),
    stateless_verdicts_per_s: Math.round(statelessPerS),
    speedup: Number((verdictsPerS / statelessPerS).toFixed(1)),
    policies: version.policies.length,
    decisions,
  };
}

/** Deterministic variety (a linear congruential generator), so runs compare. */
function sampleFacts(count: number): RequestFacts[] {
  let seed = 42;
  const next = (k: number): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return (seed >>> 16) % k; // the low bits of this generator cycle quickly
  };
  const of = <T>(xs: readonly T[]): T => xs[next(xs.length)] as T;
  const requesters = ['fed-ice', 'state-police', 'county-sheriff', 'county-fire'];
  return Array.from({ length: count }, (_, i) => ({
    requestId: `req-${i}`,
    from: { id: of(requesters), kind: of(AGENCY_KINDS) },
    to: { id: 'city-pd', kind: 'local' as const },
    category: of(REQUEST_CATEGORIES),
    urgency: of(URGENCIES),
    operation: of(OPERATION_KINDS),
    kind: 'units' as const,
    officerInDanger: next(5) === 0,
    description: 'Requesting assistance near the Harbor Street facility',
    requestedUnits: 1 + next(12),
    personalData: false,
    legalBasis: { consent: false },
  }));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(JSON.stringify(await benchVerdicts()));
}
