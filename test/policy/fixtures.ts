/** In-memory protocol sets for tests, and the demo book on disk. */
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import type { ProtocolVersionSource, RequestFacts, OrderFacts } from '../../src/policy/index.ts';

export const POLICIES_DIR = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..', 'scenarios', 'policies');
export const REQUESTS_DIR = join(POLICIES_DIR, '..', 'requests');

export interface VersionOptions {
  agency?: string;
  version?: string;
  from?: string;
  until?: string;
  manifest?: string;
  policies?: Record<string, string>;
  defaultBlock?: string;
  /** the `roles` block; default: the positions the test policies name */
  rolesBlock?: string;
}

/** the approvers the fixtures' policies and defaults name */
export function rolesText(agency: string): string {
  const roles = ['duty-officer', 'sergeant', 'lieutenant', 'chief'];
  return ['roles:', ...roles.flatMap((r) => [`  - id: ${agency}.${r}`, `    title: Test ${r}`])].join('\n');
}

export function manifestText(o: VersionOptions = {}): string {
  const agency = o.agency ?? 'test-pd';
  const version = o.version ?? '2026-01-01';
  return [
    `agency: ${agency}`,
    `version: "${version}"`,
    `title: Test protocols`,
    `effective_from: "${o.from ?? '2026-01-01T00:00:00Z'}"`,
    ...(o.until ? [`effective_until: "${o.until}"`] : []),
    `sources:`,
    `  - id: TC`,
    `    title: Test Code`,
    `    url: https://example.org/tc`,
    o.rolesBlock ?? rolesText(agency),
    o.defaultBlock ?? `default:\n  decision: needs_approval\n  approval_role: ${agency}.duty-officer`,
    '',
  ].join('\n');
}

export function versionSource(o: VersionOptions = {}): ProtocolVersionSource {
  const agency = o.agency ?? 'test-pd';
  const version = o.version ?? '2026-01-01';
  const base = `${agency}/${version}`;
  const policies = o.policies ?? { 'rules.cedar': PERMIT_ALL_DANGER };
  return {
    agency,
    version,
    manifest: { path: `${base}/protocol.yaml`, text: o.manifest ?? manifestText(o) },
    policies: Object.entries(policies).map(([name, text]) => ({ path: `${base}/${name}`, text })),
  };
}

export const PERMIT_ALL_DANGER = `
@id("TC-1")
@cite("Test Code § 1")
permit (principal, action == Action::"request_assistance", resource)
when { context.category == "officer_in_danger" };
`;

export function request(overrides: Partial<RequestFacts> = {}): RequestFacts {
  return {
    requestId: 'req-1',
    from: { id: 'fed-ice', kind: 'federal' },
    to: { id: 'test-pd', kind: 'local' },
    kind: 'units',
    category: 'officer_in_danger',
    urgency: 'immediate',
    operation: 'civil_immigration_enforcement',
    officerInDanger: true,
    description: 'team surrounded',
    requestedUnits: 4,
    personalData: false,
    legalBasis: { consent: false },
    ...overrides,
  };
}

export function order(overrides: Partial<OrderFacts> = {}): OrderFacts {
  return {
    orderId: 'ord-1',
    issuer: {
      agency: { id: 'city-pd', kind: 'local' },
      authority: { kind: 'position', agency: { id: 'city-pd', kind: 'local' }, position: 'city-pd.chief-of-patrol' },
    },
    directive: 'withdraw',
    operation: 'civil_immigration_enforcement',
    units: [{ id: 'city-pd.1A12', home: { id: 'city-pd', kind: 'local' } }],
    people: [],
    relatedRequest: {
      requestId: 'req-1',
      from: { id: 'fed-ice', kind: 'federal' },
      category: 'officer_in_danger',
      operation: 'civil_immigration_enforcement',
    },
    ...overrides,
  };
}
