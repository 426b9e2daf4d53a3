/**
 * For every route of the API, a call that succeeds on the demo world, written
 * by hand, keyed by method and OpenAPI path ("POST /v1/requests/{requestId}/accept").
 * routes.test.ts reads the routes from /openapi.json and fails for any route
 * this table lacks, so a route added later must come with its case.
 *
 * A case's `call` prepares what the call needs with fresh ids (a request of
 * its own to accept, a unit of its own to commit) and returns the call; it
 * runs again for each test that carries the call out, so the tests do not
 * depend on each other's order. `otherAgency` says how a caller of another
 * agency is answered.
 */
import assert from 'node:assert/strict';
import { DEMO_USERS } from '../../src/app/demo.ts';
import type { Client, ServedNode } from '../helpers/server.ts';

/** a demo login, or an API token of an agency */
export type Caller = string | { readonly token: string; readonly scope: 'read' | 'write' };

export interface Call {
  readonly as: Caller;
  readonly params?: Readonly<Record<string, string>>;
  readonly query?: Readonly<Record<string, string>>;
  /** the JSON body (POST); undefined sends none */
  readonly body?: unknown;
}

export interface Outcome {
  readonly status: number;
  readonly code?: string;
  /** the problem's detail includes this */
  readonly detail?: string;
}

export type OtherAgency =
  /** the same call by another agency's caller is answered so */
  | { readonly as: Caller; readonly answer: Outcome }
  /** a list: another agency's caller gets 200 without the records `shown` finds in the list */
  | { readonly as: Caller; readonly hides: (body: unknown) => boolean }
  /** why the route has no other agency (public, or about the caller alone) */
  | { readonly none: string };

export interface RouteCase {
  call(t: RouteWorld): Promise<Call>;
  /** the answer to the call; default: the route's success status. A refusal says why in a comment. */
  readonly expect?: Outcome;
  readonly otherAgency: OtherAgency;
  /** the answer to a retry with the same Idempotency-Key, when the call ends what authenticates it (default: the first answer, replayed) */
  readonly retry?: Outcome;
  /** why the route does not honour Idempotency-Key, when it does not (each call is carried out anew) */
  readonly noIdempotency?: string;
  /** the route records nothing: the same call carried out anew gives the same answer */
  readonly recordsNothing?: true;
}

/** the demo node, its logged-in users and tokens, and fresh records made over HTTP */
export class RouteWorld {
  readonly node: ServedNode;
  private readonly clients = new Map<string, Client>();
  private next = 0;

  constructor(node: ServedNode) {
    this.node = node;
  }

  /** logs every demo user in once, and the superintendent (a login this test adds: nobody in the demo holds a top post) */
  async logIn(): Promise<void> {
    const alvarez = { login: 'alvarez', password: 'test-alvarez-2026' };
    await this.node.live.accounts.addUser({ agency: 'city-pd', person: 'cpd-alvarez', ...alvarez });
    for (const u of DEMO_USERS) this.clients.set(u.login, await this.node.as(u.login));
    this.clients.set('alvarez', await loginAs(this.node.url, alvarez.login, alvarez.password));
  }

  async client(who: Caller): Promise<Client> {
    if (typeof who === 'string') {
      if (who === 'anonymous') return this.node.anonymous;
      const c = this.clients.get(who);
      assert.ok(c, `no login ${who}`);
      return c;
    }
    const key = `token:${who.token}:${who.scope}`;
    let c = this.clients.get(key);
    if (c === undefined) {
      c = await this.node.withToken(who.token, who.scope);
      this.clients.set(key, c);
    }
    return c;
  }

  /** the agency of a login */
  agencyOf(login: string): string | undefined {
    return login === 'alvarez' ? 'city-pd' : DEMO_USERS.find((u) => u.login === login)?.agency;
  }

  /** keeps a client under a fresh name, for a call that ends its session */
  adopt(c: Client): string {
    const name = this.id('session');
    this.clients.set(name, c);
    return name;
  }

  /** a fresh id */
  id(prefix: string): string {
    this.next += 1;
    return `${prefix}-rt${this.next}`;
  }

  /** runs a command that must succeed, returning its answer */
  async run(who: Caller, path: string, body: unknown): Promise<{ type: string; entries: { index: number; type: string }[] }> {
    const r = await (await this.client(who)).post(path, body);
    const text = await r.text();
    assert.equal(r.status, 201, `${typeof who === 'string' ? who : who.token} POST ${path}: ${text}`);
    return JSON.parse(text) as never;
  }

  // ---- fresh records of the demo world

  /** a city patrol car of its own, under the sector sergeant (so the watch commander commands it) */
  async cityUnit(): Promise<string> {
    const unitId = this.id('cpd-car');
    await this.run('harris', '/v1/units', { unitId, unitType: 'patrol car', callsign: unitId, supervisor: 'city-pd.sergeant-1231' });
    return unitId;
  }

  /** a request from the fed-ice supervisor to the city on the demo incident; by default an officer in danger (permitted) */
  async request(over: Record<string, unknown> = {}): Promise<string> {
    const requestId = this.id('req');
    await this.run('santos', '/v1/requests', {
      requestId,
      incidentId: INCIDENT,
      to: 'city-pd',
      category: 'officer_in_danger',
      urgency: 'immediate',
      operation: 'civil_immigration_enforcement',
      description: 'An officer is down at the south gate.',
      unitsRequested: 2,
      ...over,
    });
    return requestId;
  }

  /** a request for records on a judge's warrant (the ordinance allows it) */
  informationRequest(): Promise<string> {
    return this.request({
      kind: 'information',
      information: { kind: 'records', personalData: true },
      legalBasis: { statute: '8 U.S.C. § 1357', warrant: { kind: 'judicial', reference: 'Case 26-CR-114, warrant 7' } },
      category: 'investigation_support',
      urgency: 'routine',
      unitsRequested: undefined,
      description: 'Arrest history of the person named in the warrant.',
    });
  }

  /** a request the watch commander accepted */
  async accepted(): Promise<string> {
    const id = await this.request();
    await this.run('chen', `/v1/requests/${id}/accept`, { reason: 'Officer in danger: Metro City Code 2-173-030(a).' });
    return id;
  }

  /** an accepted request with a fresh city unit committed to it */
  async committed(): Promise<{ requestId: string; unit: string }> {
    const unit = await this.cityUnit();
    const requestId = await this.accepted();
    await this.run('chen', `/v1/requests/${requestId}/commit`, { units: [unit], reason: 'Nearest car.' });
    return { requestId, unit };
  }

  /** an incident the fed-ice supervisor opened */
  async incident(): Promise<string> {
    const incidentId = this.id('inc');
    await this.run('santos', '/v1/incidents', { incidentId, name: 'A second protest', location: '1500 W Harrison St' });
    return incidentId;
  }

  /** a notification to the watch commander not yet delivered (a new request to the city is told to its request desk) */
  async chenNotification(): Promise<string> {
    const requestId = await this.request();
    const n = Object.values(this.node.live.coordination.world.notifications).find(
      (x) => x.request === requestId && x.recipient.person === 'cpd-chen' && x.status === 'created',
    );
    assert.ok(n, `a notification of ${requestId} to cpd-chen`);
    return n.id;
  }
}

async function loginAs(url: string, login: string, password: string): Promise<Client> {
  const r = await fetch(`${url}/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ login, password }) });
  assert.equal(r.status, 201);
  const cookie = (r.headers.get('set-cookie') ?? '').split(';')[0] as string;
  const { csrfToken } = (await r.json()) as { csrfToken: string };
  const headers = { cookie, 'x-csrf-token': csrfToken };
  return {
    login,
    headers,
    get: (path) => fetch(`${url}${path}`, { headers }),
    post: (path, body, extra = {}) =>
      fetch(`${url}${path}`, {
        method: 'POST',
        headers: { ...headers, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...extra },
        ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
      }),
  };
}

export const INCIDENT = 'inc-2026-0601-harrison';
/** a token of the review board: an agency of the node that takes part in nothing (not a reviewer: a token reads as its agency) */
export const OUTSIDER: Caller = { token: 'review-board', scope: 'read' };
const OUTSIDER_WRITES: Caller = { token: 'review-board', scope: 'write' };
const notShared = (kind: string, id: string): Outcome => ({
  status: 404,
  code: 'UNKNOWN_ENTITY',
  detail: `${kind} ${id} does not exist or is not shared with review-board`,
});
const has = (list: string, id: string) => (body: unknown) => ((body as Record<string, { id: string }[]>)[list] ?? []).some((x) => x.id === id);

const reason = 'Recorded for the route tests.';

export const ROUTE_CASES: Readonly<Record<string, RouteCase>> = {
  // ---- operations and the public log
  'GET /health': { call: async () => ({ as: 'anonymous' }), otherAgency: { none: 'public' } },
  'GET /ready': { call: async () => ({ as: 'anonymous' }), otherAgency: { none: 'public' } },
  'GET /checkpoint': { call: async () => ({ as: 'anonymous' }), otherAgency: { none: 'public' } },
  'GET /log/key': { call: async () => ({ as: 'anonymous' }), otherAgency: { none: 'public' } },
  'GET /tile/{path}': { call: async () => ({ as: 'anonymous', params: { path: '0/000.p/100' } }), otherAgency: { none: 'public (hashes only)' } },
  'GET /v1/proofs/inclusion': { call: async () => ({ as: 'anonymous', query: { index: '3', size: '10' } }), otherAgency: { none: 'public' } },
  'GET /v1/proofs/consistency': { call: async () => ({ as: 'anonymous', query: { from: '3', to: '10' } }), otherAgency: { none: 'public' } },
  'GET /v1/witnessing': { call: async () => ({ as: 'anonymous' }), otherAgency: { none: 'public: sizes and witnesses, no entry' } },

  // ---- sessions
  'POST /v1/session': {
    call: async () => ({ as: 'anonymous', body: { login: 'reyes', password: 'demo-reyes-2026' } }),
    noIdempotency: 'a replayed login would hand out the CSRF token without the cookie it goes with',
    otherAgency: { none: 'public: logging in' },
  },
  'GET /v1/session': { call: async () => ({ as: 'reyes' }), otherAgency: { none: 'about the caller alone' } },
  'POST /v1/session/logout': {
    // a session of its own, so that logging out ends none the other tests use
    call: async (t) => ({ as: t.adopt(await t.node.as('whitfield')) }),
    // the retry comes after the session ended: it is not the same caller any more
    retry: { status: 401, code: 'UNAUTHENTICATED' },
    otherAgency: { none: 'about the caller alone' },
  },

  // ---- organisation
  'POST /v1/agency/settings': {
    call: async () => ({ as: 'alvarez', body: { acknowledgeUrgentWithin: 300 } }),
    otherAgency: { as: 'santos', answer: { status: 403, code: 'NOT_AUTHORISED' } },
  },
  'POST /v1/positions': {
    call: async (t) => ({
      as: 'harris',
      body: { positionId: t.id('city-pd.lieutenant'), title: 'Patrol Lieutenant', reportsTo: 'city-pd.chief-of-patrol', rank: 3 },
    }),
    otherAgency: { as: 'santos', answer: { status: 403, code: 'AGENCY_MISMATCH' } },
  },
  'POST /v1/people': {
    call: async (t) => ({ as: 'harris', body: { personId: t.id('cpd-officer'), name: 'PO Test Officer' } }),
    otherAgency: { none: "a person is registered in the caller's own agency: the body names no agency" },
  },
  'POST /v1/people/{personId}/appoint': {
    call: async (t) => {
      const personId = t.id('cpd-officer');
      await t.run('harris', '/v1/people', { personId, name: 'PO Test Officer' });
      return { as: 'harris', params: { personId }, body: { positionId: 'city-pd.sergeant-1231' } };
    },
    otherAgency: { as: 'santos', answer: { status: 403, code: 'AGENCY_MISMATCH' } },
  },
  'POST /v1/people/{personId}/relieve': {
    call: async (t) => {
      const personId = t.id('cpd-officer');
      await t.run('harris', '/v1/people', { personId, name: 'PO Test Officer' });
      await t.run('harris', `/v1/people/${personId}/appoint`, { positionId: 'city-pd.sergeant-1231' });
      return { as: 'harris', params: { personId }, body: { positionId: 'city-pd.sergeant-1231', reason } };
    },
    otherAgency: { as: 'santos', answer: { status: 403, code: 'AGENCY_MISMATCH' } },
  },
  'POST /v1/units': {
    call: async (t) => {
      const unitId = t.id('cpd-car');
      return { as: 'harris', body: { unitId, unitType: 'patrol car', callsign: unitId, supervisor: 'city-pd.sergeant-1231' } };
    },
    otherAgency: { as: 'santos', answer: { status: 403, code: 'AGENCY_MISMATCH' } },
  },
  'POST /v1/units/{unitId}/update': {
    call: async (t) => ({ as: 'harris', params: { unitId: await t.cityUnit() }, body: { callsign: 'renamed' } }),
    otherAgency: { as: 'santos', answer: { status: 403, code: 'NOT_AUTHORISED' } },
  },
  'POST /v1/units/{unitId}/status': {
    call: async (t) => ({ as: 'chen', params: { unitId: await t.cityUnit() }, body: { status: 'out_of_service', reason: 'Flat tyre.' } }),
    otherAgency: { as: 'santos', answer: { status: 403, code: 'NOT_AUTHORISED' } },
  },
  'POST /v1/units/positions': {
    call: async () => ({
      as: { token: 'city-pd', scope: 'write' },
      body: { positions: [{ unit: 'cpd-1233', lat: 41.8751, lon: -87.6694, accuracy: 12, observed: '2026-12-01T10:00:00Z' }] },
    }),
    otherAgency: { as: 'santos', answer: { status: 403, code: 'NOT_AUTHORISED', detail: 'is for city-pd to do' } },
  },
  'POST /v1/delegations': {
    call: async (t) => ({
      as: 'harris',
      body: { delegationId: t.id('del'), to: 'cpd-okafor', scope: { kind: 'position', position: 'city-pd.chief-of-patrol' }, reason: 'Chief off shift.' },
    }),
    otherAgency: { as: 'santos', answer: { status: 403, code: 'NOT_AUTHORISED' } },
  },
  'POST /v1/delegations/{delegationId}/revoke': {
    call: async (t) => {
      const delegationId = t.id('del');
      await t.run('harris', '/v1/delegations', {
        delegationId,
        to: 'cpd-okafor',
        scope: { kind: 'position', position: 'city-pd.chief-of-patrol' },
        reason: 'Chief off shift.',
      });
      return { as: 'harris', params: { delegationId }, body: { reason: 'Chief back.' } };
    },
    otherAgency: { as: 'santos', answer: { status: 403, code: 'NOT_AUTHORISED' } },
  },

  // ---- incidents
  'POST /v1/incidents': {
    call: async (t) => ({
      as: 'santos',
      body: { incidentId: t.id('inc'), name: 'A second protest', location: '1500 W Harrison St', coordinates: { lat: 41.87, lon: -87.66 } },
    }),
    // opening an incident is open to any agency: there is no other agency to refuse
    otherAgency: { none: 'any agency opens an incident of its own' },
  },
  'GET /v1/incidents': {
    call: async () => ({ as: 'chen' }),
    otherAgency: { as: OUTSIDER, hides: has('incidents', INCIDENT) },
  },
  'GET /v1/incidents/{incidentId}': {
    call: async () => ({ as: 'reyes', params: { incidentId: INCIDENT }, query: { at: '2026-06-01T21:00:00Z' } }),
    otherAgency: { as: OUTSIDER, answer: notShared('incident', INCIDENT) },
  },
  'GET /v1/incidents/{incidentId}/bundle': {
    call: async () => ({ as: 'reyes', params: { incidentId: INCIDENT } }),
    otherAgency: { as: OUTSIDER, answer: notShared('incident', INCIDENT) },
  },
  'POST /v1/incidents/{incidentId}/update': {
    call: async (t) => ({ as: 'santos', params: { incidentId: await t.incident() }, body: { description: 'The crowd is moving east.' } }),
    otherAgency: { as: 'chen', answer: { status: 403, code: 'NOT_AUTHORISED' } },
  },
  'POST /v1/incidents/{incidentId}/close': {
    call: async (t) => ({ as: 'santos', params: { incidentId: await t.incident() }, body: { reason: 'The crowd dispersed.' } }),
    otherAgency: { as: 'chen', answer: { status: 403, code: 'NOT_AUTHORISED' } },
  },
  'POST /v1/incidents/{incidentId}/command': {
    call: async (t) => ({
      as: 'santos',
      params: { incidentId: await t.incident() },
      body: { structure: { kind: 'single', commander: 'ice-santos' }, reason: 'Federal scene.' },
    }),
    otherAgency: { as: 'chen', answer: { status: 403, code: 'NOT_AUTHORISED' } },
  },
  'POST /v1/incidents/{incidentId}/liaisons': {
    call: async (t) => ({ as: 'santos', params: { incidentId: await t.incident() }, body: { personId: 'ice-whitfield' } }),
    otherAgency: { as: 'chen', answer: { status: 403, code: 'NOT_AUTHORISED', detail: 'is for fed-ice to do' } },
  },
  'POST /v1/incidents/{incidentId}/units': {
    call: async (t) => ({ as: 'chen', params: { incidentId: await t.incident() }, body: { unitId: await t.cityUnit(), reason: 'Sent to watch the crowd.' } }),
    otherAgency: { as: 'santos', answer: { status: 403, code: 'NOT_AUTHORISED' } },
  },
  'POST /v1/incidents/{incidentId}/release-unit': {
    call: async (t) => {
      const incidentId = await t.incident();
      await t.run('santos', `/v1/incidents/${incidentId}/command`, { structure: { kind: 'single', commander: 'ice-santos' }, reason: 'Federal scene.' });
      const unitId = await t.cityUnit();
      await t.run('chen', `/v1/incidents/${incidentId}/units`, { unitId, reason: 'Sent to watch the crowd.' });
      // the incident's command releases units: here the fed-ice supervisor, its commander
      return { as: 'santos', params: { incidentId }, body: { unitId, reason: 'Crowd gone.' } };
    },
    otherAgency: { as: 'chen', answer: { status: 403, code: 'NOT_AUTHORISED', detail: "the incident's command releases units" } },
  },
  'POST /v1/incidents/{incidentId}/messages': {
    call: async (t) => ({
      as: 'santos',
      params: { incidentId: INCIDENT },
      body: { messageId: t.id('msg'), text: 'FOT-3 is clear of the gate.', agencies: ['city-pd'], people: ['cpd-chen'] },
    }),
    otherAgency: { as: OUTSIDER_WRITES, answer: { status: 403, code: 'NOT_AUTHORISED' } },
  },

  // ---- requests
  'POST /v1/requests': {
    call: async (t) => ({
      as: 'santos',
      body: {
        requestId: t.id('req'),
        incidentId: INCIDENT,
        to: 'city-pd',
        category: 'medical',
        urgency: 'urgent',
        operation: 'civil_immigration_enforcement',
        description: 'An officer needs an ambulance escort.',
        unitsRequested: 1,
        coordinates: { lat: 41.8747, lon: -87.6611 },
      },
    }),
    // the same request from the city itself: an agency does not ask itself for help
    otherAgency: { as: 'chen', answer: { status: 409, code: 'COMMAND_INCONSISTENT' } },
  },
  'GET /v1/requests': {
    call: async () => ({ as: 'chen', query: { incident: INCIDENT } }),
    otherAgency: { as: OUTSIDER, hides: has('requests', 'req-001') },
  },
  'GET /v1/requests/{requestId}': {
    call: async () => ({ as: 'whitfield', params: { requestId: 'req-001' } }),
    otherAgency: { as: OUTSIDER, answer: notShared('request', 'req-001') },
  },
  'POST /v1/requests/{requestId}/receive': {
    // this node receives a request for its agency the moment it is sent (device "concord"), so a second receipt is refused
    call: async (t) => ({ as: 'chen', params: { requestId: await t.request() }, body: {} }),
    expect: { status: 409, code: 'INVALID_TRANSITION', detail: 'cannot receive it (allowed when sent)' },
    // the state is judged before the caller: the requester hears the same
    otherAgency: { as: 'santos', answer: { status: 409, code: 'INVALID_TRANSITION' } },
  },
  'POST /v1/requests/{requestId}/evaluate': {
    call: async (t) => ({ as: 'chen', params: { requestId: await t.request() }, body: {} }),
    otherAgency: { as: 'santos', answer: { status: 403, code: 'NOT_AUTHORISED' } },
  },
  'POST /v1/requests/{requestId}/approve': {
    // a perimeter for an operation of unknown kind needs the watch commander's approval (city-pd 2-173-040)
    call: async (t) => ({
      as: 'chen',
      params: { requestId: await t.request({ category: 'perimeter', operation: 'unknown', urgency: 'urgent' }) },
      body: { reason: 'A perimeter for crowd control, not for the enforcement action.' },
    }),
    otherAgency: { as: 'santos', answer: { status: 403, code: 'NOT_AUTHORISED' } },
  },
  'POST /v1/preview': {
    call: async (t) => ({ as: 'chen', body: { path: `/v1/requests/${await t.request()}/accept`, body: { reason: 'Officer in danger: 2-173-030(a).' } } }),
    noIdempotency: 'a preview records nothing, so there is nothing to replay: each is decided anew',
    recordsNothing: true,
    otherAgency: { none: 'a preview tells the caller only what its command would (test/server/preview.test.ts checks the boundaries)' },
  },
  'POST /v1/requests/{requestId}/accept': {
    call: async (t) => ({ as: 'chen', params: { requestId: await t.request() }, body: { reason: 'Officer in danger: 2-173-030(a).' } }),
    otherAgency: { as: 'santos', answer: { status: 403, code: 'NOT_AUTHORISED' } },
  },
  'POST /v1/requests/{requestId}/accept-partly': {
    call: async (t) => ({ as: 'chen', params: { requestId: await t.request() }, body: { count: 1, reason: 'One car free.' } }),
    otherAgency: { as: 'santos', answer: { status: 403, code: 'NOT_AUTHORISED' } },
  },
  'POST /v1/requests/{requestId}/decline': {
    call: async (t) => ({ as: 'chen', params: { requestId: await t.request() }, body: { reason: 'No car free.' } }),
    otherAgency: { as: 'santos', answer: { status: 403, code: 'NOT_AUTHORISED' } },
  },
  'POST /v1/requests/{requestId}/provide': {
    call: async (t) => ({
      as: 'chen',
      params: { requestId: await t.informationRequest() },
      body: { provided: 'Two arrests, 2019 and 2022.', reason: 'Judicial warrant.' },
    }),
    otherAgency: { as: 'santos', answer: { status: 403, code: 'NOT_AUTHORISED' } },
  },
  'POST /v1/requests/{requestId}/provide-partly': {
    call: async (t) => ({
      as: 'chen',
      params: { requestId: await t.informationRequest() },
      body: { provided: 'One arrest, 2022.', withheld: 'A sealed juvenile record.', reason: 'Sealed records are not disclosed.' },
    }),
    otherAgency: { as: 'santos', answer: { status: 403, code: 'NOT_AUTHORISED' } },
  },
  'POST /v1/requests/{requestId}/refuse': {
    call: async (t) => ({ as: 'chen', params: { requestId: await t.informationRequest() }, body: { reason: 'The warrant names someone else.' } }),
    otherAgency: { as: 'santos', answer: { status: 403, code: 'NOT_AUTHORISED' } },
  },
  'POST /v1/requests/{requestId}/escalate': {
    call: async (t) => ({ as: 'chen', params: { requestId: await t.request() }, body: { reason: 'Needs the district commander.' } }),
    otherAgency: { as: 'santos', answer: { status: 403, code: 'NOT_AUTHORISED' } },
  },
  'POST /v1/requests/{requestId}/commit': {
    call: async (t) => ({ as: 'chen', params: { requestId: await t.accepted() }, body: { units: [await t.cityUnit()], reason: 'Nearest car.' } }),
    otherAgency: { as: 'santos', answer: { status: 403, code: 'NOT_AUTHORISED' } },
  },
  'POST /v1/requests/{requestId}/on-scene': {
    call: async (t) => {
      const { requestId, unit } = await t.committed();
      return { as: 'chen', params: { requestId }, body: { units: [unit] } };
    },
    // the requester may report the units arrived too (it sees them come): an agency outside the request may not
    otherAgency: { as: OUTSIDER_WRITES, answer: { status: 403, code: 'NOT_AUTHORISED' } },
  },
  'POST /v1/requests/{requestId}/withdraw': {
    call: async (t) => {
      const { requestId, unit } = await t.committed();
      return { as: 'harris', params: { requestId }, body: { units: [unit], reason: 'Needed elsewhere: a shooting in the 10th District.' } };
    },
    otherAgency: { as: 'santos', answer: { status: 403, code: 'NOT_AUTHORISED' } },
  },
  'POST /v1/requests/{requestId}/release': {
    call: async (t) => {
      const { requestId, unit } = await t.committed();
      return { as: 'santos', params: { requestId }, body: { units: [unit], reason: 'The officer is out.' } };
    },
    otherAgency: { as: 'chen', answer: { status: 403, code: 'NOT_AUTHORISED' } },
  },
  'POST /v1/requests/{requestId}/close': {
    call: async (t) => {
      // a request is closed once nothing stands on it: declined, withdrawn or released
      const requestId = await t.request();
      await t.run('chen', `/v1/requests/${requestId}/decline`, { reason: 'No car free.' });
      return { as: 'chen', params: { requestId }, body: { reason: 'Done.' } };
    },
    otherAgency: { as: OUTSIDER_WRITES, answer: { status: 403, code: 'NOT_AUTHORISED' } },
  },
  'POST /v1/requests/{requestId}/cancel': {
    call: async (t) => ({ as: 'santos', params: { requestId: await t.request() }, body: { reason: 'The officer walked out.' } }),
    otherAgency: { as: 'chen', answer: { status: 403, code: 'NOT_AUTHORISED' } },
  },

  // ---- orders and conflicts
  'POST /v1/orders': {
    call: async (t) => ({
      as: 'harris',
      body: { orderId: t.id('ord'), incidentId: INCIDENT, directive: 'move', units: [await t.cityUnit()], target: 'Ashland and Polk', rationale: 'Stage.' },
    }),
    otherAgency: { as: 'santos', answer: { status: 403, code: 'NOT_IN_CHAIN_OF_COMMAND' } },
  },
  'GET /v1/orders': {
    call: async () => ({ as: 'santos', query: { incident: INCIDENT } }),
    otherAgency: { as: OUTSIDER, hides: has('orders', 'ord-000') },
  },
  'GET /v1/orders/{orderId}': {
    // the federal supervisor's order to the city's units: the city reads it
    call: async () => ({ as: 'chen', params: { orderId: 'ord-000' } }),
    otherAgency: { as: OUTSIDER, answer: notShared('order', 'ord-000') },
  },
  'POST /v1/orders/{orderId}/acknowledge': {
    call: async (t) => {
      const orderId = t.id('ord');
      await t.run('harris', '/v1/orders', {
        orderId,
        incidentId: INCIDENT,
        directive: 'move',
        people: ['cpd-chen'],
        target: 'Ashland and Polk',
        rationale: 'Take the staging area.',
      });
      return { as: 'chen', params: { orderId }, body: { person: 'cpd-chen' } };
    },
    otherAgency: { as: 'santos', answer: { status: 403, code: 'NOT_A_RECIPIENT' } },
  },
  'GET /v1/conflicts': {
    call: async () => ({ as: 'santos', query: { incident: INCIDENT } }),
    otherAgency: { as: OUTSIDER, hides: has('conflicts', 'conflict:ord-000:ord-001:cpd-1233') },
  },
  'GET /v1/conflicts/{conflictId}': {
    call: async () => ({ as: 'chen', params: { conflictId: 'conflict:ord-000:ord-001:cpd-1233' } }),
    otherAgency: { as: OUTSIDER, answer: notShared('conflict', 'conflict:ord-000:ord-001:cpd-1233') },
  },
  'POST /v1/conflicts/{conflictId}/resolve': {
    // the federal member of the unified command orders a city unit to hold; the chief of patrol withdraws it: the orders conflict
    call: async (t) => {
      const { unit } = await t.committed();
      const hold = t.id('ord');
      const withdraw = t.id('ord');
      await t.run('santos', '/v1/orders', {
        orderId: hold,
        incidentId: INCIDENT,
        directive: 'hold',
        units: [unit],
        target: 'south gate',
        task: 'officer_in_danger',
        rationale: 'Keep the path open.',
      });
      await t.run('harris', '/v1/orders', { orderId: withdraw, incidentId: INCIDENT, directive: 'withdraw', units: [unit], rationale: 'Needed elsewhere.' });
      return { as: 'santos', params: { conflictId: `conflict:${hold}:${withdraw}:${unit}` }, body: { reason: 'The city order stands.' } };
    },
    otherAgency: { as: OUTSIDER_WRITES, answer: { status: 403, code: 'NOT_AUTHORISED' } },
  },

  // ---- units
  'GET /v1/units': {
    call: async () => ({ as: 'whitfield' }),
    otherAgency: { as: OUTSIDER, hides: (b) => has('units', 'cpd-1231')(b) || has('units', 'ice-fot3')(b) },
  },

  // ---- notifications
  'GET /v1/notifications': {
    call: async () => ({ as: 'whitfield', query: { status: 'acknowledged' } }),
    otherAgency: { none: "the caller's own inbox" },
  },
  'POST /v1/notifications/{notificationId}/deliver': {
    call: async (t) => ({ as: 'chen', params: { notificationId: await t.chenNotification() }, body: {} }),
    otherAgency: { as: 'santos', answer: { status: 403, code: 'NOT_A_RECIPIENT' } },
  },
  'POST /v1/notifications/{notificationId}/acknowledge': {
    call: async (t) => ({ as: 'chen', params: { notificationId: await t.chenNotification() }, body: {} }),
    otherAgency: { as: 'santos', answer: { status: 403, code: 'NOT_A_RECIPIENT' } },
  },

  // ---- review (docs/review.md)
  'GET /v1/incidents/{incidentId}/timeline': {
    call: async () => ({ as: 'reyes', params: { incidentId: INCIDENT }, query: { limit: '20', type: 'request,order', skew: '5' } }),
    otherAgency: { as: OUTSIDER, answer: notShared('incident', INCIDENT) },
  },
  'GET /v1/review/knew': {
    call: async () => ({ as: 'santos', query: { person: 'ice-santos', at: '2026-06-01T21:07:11Z' } }),
    // a person of another agency that shares nothing with the caller's: as if there were none
    otherAgency: { as: OUTSIDER, answer: notShared('person', 'ice-santos') },
  },
  'GET /v1/orders/{orderId}/trace': {
    call: async () => ({ as: 'chen', params: { orderId: 'ord-001' } }),
    otherAgency: { as: OUTSIDER, answer: notShared('order', 'ord-001') },
  },
  'GET /v1/requests/{requestId}/trace': {
    call: async () => ({ as: 'santos', params: { requestId: 'req-001' } }),
    otherAgency: { as: OUTSIDER, answer: notShared('request', 'req-001') },
  },
  'GET /v1/reports/after-action': {
    call: async () => ({ as: 'reyes', query: { incident: INCIDENT, format: 'csv' } }),
    otherAgency: { as: OUTSIDER, answer: notShared('incident', INCIDENT) },
  },
  'GET /v1/reports/ics-214': {
    call: async () => ({ as: 'chen', query: { incident: INCIDENT, person: 'cpd-harris', format: 'csv' } }),
    otherAgency: { as: OUTSIDER, answer: notShared('incident', INCIDENT) },
  },
  'GET /v1/reports/ics-213rr': {
    call: async () => ({ as: 'santos', query: { request: 'req-001', format: 'html' } }),
    otherAgency: { as: OUTSIDER, answer: notShared('request', 'req-001') },
  },
  'GET /v1/reports/compliance': {
    call: async () => ({
      as: 'chen',
      query: { to: 'city-pd', fromKind: 'federal', from: '2026-01-01T00:00:00Z', until: '2027-01-01T00:00:00Z', format: 'csv' },
    }),
    // a member reports on its own agency only: another agency's member asking for city-pd's is refused
    otherAgency: { as: OUTSIDER, answer: { status: 403, code: 'NOT_AUTHORISED' } },
  },
  'GET /v1/incidents/{incidentId}/statements': {
    call: async () => ({ as: 'reyes', params: { incidentId: INCIDENT } }),
    otherAgency: { as: OUTSIDER, answer: notShared('incident', INCIDENT) },
  },
  'POST /v1/incidents/{incidentId}/statements': {
    call: async (t) => ({
      as: 'santos',
      params: { incidentId: INCIDENT },
      body: {
        statementId: t.id('stmt'),
        speaker: { agency: 'fed-ice' },
        madeAt: '2026-06-02T09:00:00Z',
        publishedIn: 'press briefing',
        text: 'Our officers were left alone.',
      },
    }),
    otherAgency: { as: OUTSIDER_WRITES, answer: { status: 403, code: 'NOT_AUTHORISED' } },
  },
  'POST /v1/statements/{statementId}/claims': {
    call: async (t) => {
      const statementId = t.id('stmt');
      await t.run('santos', `/v1/incidents/${INCIDENT}/statements`, {
        statementId,
        speaker: { agency: 'fed-ice' },
        madeAt: '2026-06-02T09:00:00Z',
        publishedIn: 'press briefing',
        text: 'We were not told.',
      });
      return {
        as: 'chen',
        params: { statementId },
        body: {
          claimId: t.id('claim'),
          text: 'fed-ice was not told of the withdrawal.',
          check: { kind: 'notified', agency: 'fed-ice', order: 'ord-001', asserted: false },
        },
      };
    },
    otherAgency: { as: OUTSIDER_WRITES, answer: { status: 403, code: 'NOT_AUTHORISED' } },
  },
  'POST /v1/statements/{statementId}/links': {
    call: async (t) => {
      const statementId = t.id('stmt');
      const claimId = t.id('claim');
      await t.run('santos', `/v1/incidents/${INCIDENT}/statements`, {
        statementId,
        speaker: { agency: 'fed-ice' },
        madeAt: '2026-06-02T09:00:00Z',
        publishedIn: 'press briefing',
        text: 'We were not told.',
      });
      await t.run('santos', `/v1/statements/${statementId}/claims`, { claimId, text: 'We were not told.' });
      return { as: 'chen', params: { statementId }, body: { claimId, entry: 126, relation: 'contradicts', note: 'acknowledged at 21:07:10' } };
    },
    otherAgency: { as: OUTSIDER_WRITES, answer: { status: 403, code: 'NOT_AUTHORISED' } },
  },
};
