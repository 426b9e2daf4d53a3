/**
 * A route for every domain command, named after what the user does
 * (POST /v1/requests/{requestId}/accept). The body is the command's own
 * zod schema (src/domain/commands.ts) without its type and actor, and
 * without the id the path names: the actor is the caller, always; a body
 * that names another actor is refused (403), whatever else it says.
 *
 * Every command goes through CoordinationService.execute, the one path
 * that decides, checks authority and protocols, appends and notifies: the
 * server adds no second way to the ledger.
 */
import { z } from 'zod';
import type { CoordinationService } from '../app/coordination.ts';
import { audienceOf, commandSchema, mayRead, type DomainEvent, type World } from '../domain/index.ts';
import type { Verdict } from '../domain/verdict.ts';
import { commandActor } from '../app/accounts.ts';
import { actorSchema } from '../domain/values.ts';
import { ConcordError, isConcordError } from '../errors.ts';
import { HttpProblem, problemOf } from './problem.ts';
import { actorOf, callerOf, type Principal } from './principal.ts';
import { defineRoute, validationError, type AnyRoute } from './route.ts';

interface CommandRoute {
  readonly url: string;
  /** the command field the path's last parameter fills */
  readonly pathField?: string;
  readonly summary: string;
}

/**
 * Where each command is posted. A command the domain has and this table
 * lacks fails the server's start (and its test), so none is left out.
 */
const ROUTES: Readonly<Record<string, CommandRoute>> = {
  'agency.configure': { url: '/v1/agency/settings', summary: "change your agency's settings (how soon an urgent notice must be acknowledged)" },
  'position.establish': { url: '/v1/positions', summary: "establish a position in your agency's organisation" },
  'person.register': { url: '/v1/people', summary: 'register a person of your agency' },
  'person.appoint': { url: '/v1/people/:personId/appoint', pathField: 'personId', summary: 'appoint a person to a position' },
  'person.relieve': { url: '/v1/people/:personId/relieve', pathField: 'personId', summary: 'relieve a person of a position, with a reason' },
  'unit.register': { url: '/v1/units', summary: 'register a unit of your agency' },
  'unit.update': { url: '/v1/units/:unitId/update', pathField: 'unitId', summary: "change a unit's type, callsign, members or supervisor" },
  'unit.set_status': {
    url: '/v1/units/:unitId/status',
    pathField: 'unitId',
    summary: "set a unit's status (available, dispatched, en route, on scene, out of service, returning)",
  },
  'unit.report_positions': { url: '/v1/units/positions', summary: 'report unit positions in bulk (an AVL feed): WGS84, accuracy, the source time' },
  'delegation.grant': { url: '/v1/delegations', summary: 'delegate authority to a person or position, for a time' },
  'delegation.revoke': { url: '/v1/delegations/:delegationId/revoke', pathField: 'delegationId', summary: 'revoke a delegation, with a reason' },
  'incident.open': { url: '/v1/incidents', summary: 'open an incident' },
  'incident.update': { url: '/v1/incidents/:incidentId/update', pathField: 'incidentId', summary: "change an incident's name, location or description" },
  'incident.close': { url: '/v1/incidents/:incidentId/close', pathField: 'incidentId', summary: 'close an incident, with a reason' },
  'incident.establish_command': {
    url: '/v1/incidents/:incidentId/command',
    pathField: 'incidentId',
    summary: 'establish the command structure (single or unified command)',
  },
  'incident.designate_liaison': { url: '/v1/incidents/:incidentId/liaisons', pathField: 'incidentId', summary: "designate your agency's liaison" },
  'incident.assign_unit': { url: '/v1/incidents/:incidentId/units', pathField: 'incidentId', summary: 'assign a unit of your agency to the incident' },
  'incident.release_unit': {
    url: '/v1/incidents/:incidentId/release-unit',
    pathField: 'incidentId',
    summary: 'release a unit from the incident, with a reason',
  },
  'request.send': { url: '/v1/requests', summary: 'ask another agency for help' },
  'request.receive': { url: '/v1/requests/:requestId/receive', pathField: 'requestId', summary: 'record that your agency received a request' },
  'request.evaluate': { url: '/v1/requests/:requestId/evaluate', pathField: 'requestId', summary: "evaluate a request against your agency's protocols" },
  'request.approve': { url: '/v1/requests/:requestId/approve', pathField: 'requestId', summary: 'approve a request that its verdict says needs approval' },
  'request.accept': { url: '/v1/requests/:requestId/accept', pathField: 'requestId', summary: 'accept a request for units' },
  'request.accept_partly': { url: '/v1/requests/:requestId/accept-partly', pathField: 'requestId', summary: 'accept part of a request for units' },
  'request.decline': { url: '/v1/requests/:requestId/decline', pathField: 'requestId', summary: 'decline a request for units, with a reason' },
  'request.provide': { url: '/v1/requests/:requestId/provide', pathField: 'requestId', summary: 'provide the information a request asks for' },
  'request.provide_partly': {
    url: '/v1/requests/:requestId/provide-partly',
    pathField: 'requestId',
    summary: 'provide part of the information, withholding the rest',
  },
  'request.refuse': { url: '/v1/requests/:requestId/refuse', pathField: 'requestId', summary: 'refuse a request for information, with a reason' },
  'request.escalate': { url: '/v1/requests/:requestId/escalate', pathField: 'requestId', summary: 'escalate a request up your chain, with a reason' },
  'request.commit': { url: '/v1/requests/:requestId/commit', pathField: 'requestId', summary: 'commit units to an accepted request' },
  'request.report_on_scene': {
    url: '/v1/requests/:requestId/on-scene',
    pathField: 'requestId',
    summary: 'report committed units on scene',
  },
  'request.withdraw': { url: '/v1/requests/:requestId/withdraw', pathField: 'requestId', summary: 'withdraw committed units, with a reason and authority' },
  'request.release': { url: '/v1/requests/:requestId/release', pathField: 'requestId', summary: 'release units the request no longer needs (requester)' },
  'request.close': { url: '/v1/requests/:requestId/close', pathField: 'requestId', summary: 'close a request, with a reason' },
  'request.cancel': { url: '/v1/requests/:requestId/cancel', pathField: 'requestId', summary: 'cancel a request you sent, with a reason' },
  'message.send': { url: '/v1/incidents/:incidentId/messages', pathField: 'incidentId', summary: 'send a message to agencies and people on an incident' },
  'order.issue': { url: '/v1/orders', summary: 'issue an order to units or people, with a rationale' },
  'order.acknowledge': { url: '/v1/orders/:orderId/acknowledge', pathField: 'orderId', summary: 'acknowledge an order addressed to you or your unit' },
  'conflict.resolve': { url: '/v1/conflicts/:conflictId/resolve', pathField: 'conflictId', summary: 'resolve a conflict between orders, with a reason' },
  'notification.deliver': {
    url: '/v1/notifications/:notificationId/deliver',
    pathField: 'notificationId',
    summary: 'record that a notification reached you',
  },
  'notification.acknowledge': {
    url: '/v1/notifications/:notificationId/acknowledge',
    pathField: 'notificationId',
    summary: 'acknowledge a notification addressed to you',
  },
  'statement.record': {
    url: '/v1/incidents/:incidentId/statements',
    pathField: 'incidentId',
    summary: 'record a public statement about the incident: who made it, when, where it was published, its text',
  },
  'claim.record': {
    url: '/v1/statements/:statementId/claims',
    pathField: 'statementId',
    summary: 'record a claim of a statement, optionally in a form Concord checks against the record',
  },
  'claim.link': {
    url: '/v1/statements/:statementId/links',
    pathField: 'statementId',
    summary: 'link a ledger entry that supports or contradicts a claim of a statement',
  },
};

/**
 * Commands no route takes: the deadline clock's own (re-sending a notice),
 * and registering an agency, which only the node's administration does
 * (scenario files, setup), never a person or a system of an agency.
 */
const NODE_ONLY_COMMANDS: ReadonlySet<string> = new Set(['notification.resend', 'agency.register']);

/** fields only the node itself sets: a client that sends them is refused */
const NODE_ONLY: Readonly<Record<string, readonly string[]>> = {
  // the deadline clock escalates automatically; a person escalates with a reason
  'request.escalate': ['automatic'],
};

const appendedSchema = z.object({
  type: z.string(),
  entries: z.array(z.object({ index: z.number(), type: z.string(), received: z.string() })),
});

/** the command schemas by type, as the domain defines them */
function commandSchemas(): Map<string, z.ZodObject> {
  const out = new Map<string, z.ZodObject>();
  for (const option of commandSchema.options as unknown as z.ZodObject[]) {
    const type = (option.shape['type'] as z.ZodLiteral<string>).value;
    out.set(type, option);
  }
  return out;
}

/** refuses a body that names an actor other than the caller (ACTOR_MISMATCH, 403), and drops one that names the caller */
function withoutActor(body: unknown, principal: Principal): unknown {
  if (body === null || typeof body !== 'object' || Array.isArray(body) || !('actor' in body)) return body;
  const { actor, ...rest } = body as Record<string, unknown>;
  const claimed = actorSchema.safeParse(actor);
  if (!claimed.success)
    throw new ConcordError('ACTOR_MISMATCH', 'body.actor: the body names an actor that is not the caller; leave it out', { field: 'body.actor' });
  try {
    commandActor(principal, claimed.data);
  } catch (e) {
    if (isConcordError(e, 'ACTOR_MISMATCH')) throw new ConcordError('ACTOR_MISMATCH', `body.actor: ${e.message}`, { field: 'body.actor' });
    throw e;
  }
  return rest;
}

/**
 * How long a command sent with `Concord-Acknowledge: witnessed` waits for
 * its entries to be witnessed before it is answered anyway (durable; the
 * answer's Concord-Witnessed header says no).
 */
export const WITNESSED_WAIT_MS = 10_000;

export interface CommandRouteOptions {
  /**
   * Signs a checkpoint covering `size` entries and resolves true once one is
   * cosigned by the node's witness quorum (false if it never can be: the
   * node closes); absent when the node publishes through no witnesses.
   */
  readonly witnessed?: (size: number) => Promise<boolean>;
  /** how a command without a Concord-Acknowledge header is answered (durable unless the node says otherwise) */
  readonly acknowledge?: Acknowledgement;
}

export type Acknowledgement = 'durable' | 'witnessed';

/** the answer of `witnessed`, or false once WITNESSED_WAIT_MS have passed */
async function withinWitnessedWait(witnessed: Promise<boolean>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => (timer = setTimeout(resolve, WITNESSED_WAIT_MS, false)));
  try {
    return await Promise.race([witnessed, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** the acknowledgement a command asks for: durable (the default) or witnessed (docs/witnesses.md) */
function acknowledgement(header: string | string[] | undefined, witnessing: boolean, byDefault: Acknowledgement): Acknowledgement {
  if (header === undefined) return byDefault;
  if (header === 'durable') return 'durable';
  if (header === 'witnessed') {
    if (!witnessing)
      throw new ConcordError('BAD_INPUT', 'Concord-Acknowledge: witnessed: this node publishes through no witnesses', { field: 'headers.concord-acknowledge' });
    return 'witnessed';
  }
  throw new ConcordError('BAD_INPUT', 'Concord-Acknowledge must be durable or witnessed', { field: 'headers.concord-acknowledge' });
}

/** a command route's path template split into its segments, to match a path the preview names */
function matchPath(template: string, path: string): Record<string, string> | undefined {
  const t = template.split('/');
  const p = path.split('/');
  if (t.length !== p.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < t.length; i++) {
    const seg = t[i] as string;
    const got = p[i] as string;
    if (seg.startsWith(':')) {
      if (got === '') return undefined;
      try {
        params[seg.slice(1)] = decodeURIComponent(got);
      } catch {
        return undefined;
      }
    } else if (seg !== got) return undefined;
  }
  return params;
}

const verdictOut = z.object({
  decision: z.string(),
  approvalRole: z.string().optional(),
  clauses: z.array(z.object({ id: z.string(), cite: z.string().optional(), summary: z.string().optional() })),
  note: z.string().optional(),
  agency: z.string(),
  policyVersion: z.string(),
  evaluatedAt: z.string(),
});

const previewSchema = z.object({
  type: z.string(),
  allowed: z.boolean(),
  refusal: z.object({ code: z.string(), status: z.number(), detail: z.string(), field: z.string().optional() }).optional(),
  verdicts: z.array(verdictOut),
  events: z.array(z.object({ type: z.string() })),
  notified: z.array(z.object({ agency: z.string(), person: z.string().optional(), urgent: z.boolean() })),
});

/** the verdicts an event carries (a request's evaluation, an order's verdicts) */
function verdictsOf(e: DomainEvent): readonly Verdict[] {
  if (e.type === 'request.evaluated') return [e.body.verdict];
  if (e.type === 'order.issued') return e.body.verdicts;
  return [];
}

/**
 * What a command would do, told to its caller as the feed would tell it:
 * only the events the caller's agency may read (agency boundaries,
 * judged on the world just before each), their verdicts, and who would be
 * notified.
 */
function previewAnswer(type: string, caller: Principal, events: readonly { readonly event: DomainEvent; readonly before: World }[]) {
  const reader = callerOf(caller);
  const seen = events.filter(({ event, before }) => mayRead(reader, audienceOf(event, before))).map((x) => x.event);
  return {
    type,
    allowed: true,
    verdicts: seen.flatMap(verdictsOf),
    events: seen.map((e) => ({ type: e.type })),
    notified: seen.flatMap((e) =>
      e.type === 'notification.created'
        ? [{ agency: e.body.recipient.agency, ...(e.body.recipient.person !== undefined ? { person: e.body.recipient.person } : {}), urgent: e.body.urgent }]
        : [],
    ),
  };
}

export function commandRoutes(coordination: CoordinationService, opts: CommandRouteOptions = {}): AnyRoute[] {
  const schemas = commandSchemas();
  for (const t of NODE_ONLY_COMMANDS) schemas.delete(t);
  const missing = [...schemas.keys()].filter((t) => ROUTES[t] === undefined);
  if (missing.length > 0) throw new Error(`commands without a route: ${missing.join(', ')}`);
  const routes: AnyRoute[] = [];
  /** each command route's template, schemas and type, for the preview to run a path through exactly as the route would */
  const previewable: { type: string; url: string; params: z.ZodType | undefined; body: z.ZodType; nodeOnly: readonly string[] }[] = [];
  for (const [type, schema] of schemas) {
    const r = ROUTES[type] as CommandRoute;
    // the command's fields but type, actor and the one the path names; the command's own
    // refinements (fields that depend on each other) run when the whole command is parsed
    const body = z.strictObject(Object.fromEntries(Object.entries(schema.shape).filter(([k]) => k !== 'type' && k !== 'actor' && k !== r.pathField)));
    const params = r.pathField !== undefined ? z.strictObject({ [r.pathField]: schema.shape[r.pathField] as z.ZodType }) : undefined;
    const nodeOnly = NODE_ONLY[type] ?? [];
    previewable.push({ type, url: r.url, params, body, nodeOnly });
    routes.push(
      defineRoute({
        method: 'POST',
        url: r.url,
        tag: type.split('.')[0] as string,
        summary: r.summary,
        description: `Runs the domain command \`${type}\` as the caller. Send an Idempotency-Key to retry safely. It is answered once its entries are durable; with \`Concord-Acknowledge: witnessed\` (a node with witnesses), once a checkpoint covering them is cosigned by the witness quorum, or after ${WITNESSED_WAIT_MS / 1000} s with \`Concord-Witnessed: no\`.`,
        access: 'write',
        ...(params !== undefined ? { params } : {}),
        body,
        // before validation, so that naming another actor is a 403 whatever else the body holds
        prepareBody: (b, principal) => withoutActor(b, principal as Principal),
        response: { status: 201, description: 'the command was carried out; the entries it appended', schema: appendedSchema },
        async handler({ params: p, body: b, principal, request, reply, receipt }) {
          const caller = principal as Principal;
          // judged before the command runs: a header refused changes nothing
          const ack = acknowledgement(request.headers['concord-acknowledge'], opts.witnessed !== undefined, opts.acknowledge ?? 'durable');
          for (const field of nodeOnly) {
            if (b !== null && typeof b === 'object' && field in (b as object)) {
              throw new HttpProblem('FORBIDDEN', 403, `${field} is set by the node itself, never by a client`, `body.${field}`);
            }
          }
          const command = { ...(b as object), ...((p as object | undefined) ?? {}), type, actor: actorOf(caller) };
          // the receipt goes into the ledger with the entries: a retry after a restart finds them
          const done = await coordination.execute(command, receipt !== undefined ? { receipt } : {});
          const last = done.entries[done.entries.length - 1];
          if (ack === 'witnessed' && last !== undefined && opts.witnessed !== undefined) {
            reply.header('concord-witnessed', (await withinWitnessedWait(opts.witnessed(last.index + 1))) ? 'yes' : 'no');
          }
          return { type, entries: done.entries.map((e, i) => ({ index: e.index, type: done.events[i]?.type ?? '', received: e.received })) };
        },
        async recall(receipt) {
          const stored = await coordination.recall(receipt.id);
          return stored === undefined ? undefined : { fingerprint: stored.receipt.fingerprint, body: { type, entries: stored.entries } };
        },
      }),
    );
  }
  routes.push(
    defineRoute({
      method: 'POST',
      url: '/v1/preview',
      tag: 'preview',
      summary: 'what a command would do, without doing it: its verdicts, the agencies it would notify, or why it would be refused',
      description:
        'Names a command route by its path and the body it would be sent. The command is validated, authorised and decided exactly as that route would (as the caller, against the protocols in effect now) and nothing is recorded: no entry, no Idempotency-Key receipt. A refusal the command would meet is the answer (`allowed: false`, with its code, status, detail and field), not an error; only a path that names no command route is a 400. What it tells is what the feed would tell the caller: the events, verdicts and notices of other agencies are left out unless the caller may read them.',
      access: 'write',
      // nothing is done, so there is nothing to replay: every preview is decided anew
      idempotent: false,
      body: z.strictObject({
        path: z.string().min(1).max(512).describe('the command route, as it would be posted: /v1/requests/r-1/withdraw'),
        body: z.record(z.string(), z.unknown()).default({}).describe('the body it would be sent'),
      }),
      response: { status: 200, description: 'what the command would do', schema: previewSchema },
      async handler({ body: b, principal }) {
        const caller = principal as Principal;
        let found: { route: (typeof previewable)[number]; params: Record<string, string> } | undefined;
        for (const route of previewable) {
          const params = matchPath(route.url, b.path);
          if (params !== undefined) {
            found = { route, params };
            break;
          }
        }
        if (found === undefined) throw new HttpProblem('BAD_INPUT', 400, `body.path: ${b.path} is no command route (see /openapi.json)`, 'body.path');
        const { route, params } = found;
        try {
          const p = route.params !== undefined ? route.params.safeParse(params) : undefined;
          if (p !== undefined && !p.success) throw validationError('params', p.error);
          const raw = withoutActor(b.body, caller);
          const parsed = route.body.safeParse(raw);
          if (!parsed.success) throw validationError('body', parsed.error);
          for (const field of route.nodeOnly) {
            if (field in (parsed.data as object))
              throw new HttpProblem('FORBIDDEN', 403, `${field} is set by the node itself, never by a client`, `body.${field}`);
          }
          const command = { ...(parsed.data as object), ...((p?.data as object | undefined) ?? {}), type: route.type, actor: actorOf(caller) };
          return previewAnswer(route.type, caller, coordination.preview(command).events);
        } catch (e) {
          const problem = problemOf(e, b.path);
          // the node's own failure is the node's, not the command's
          if (problem.status >= 500) throw e;
          const verdict = isConcordError(e, 'VERDICT_PROHIBITED') ? (e.details?.['verdict'] as Verdict | undefined) : undefined;
          return {
            type: route.type,
            allowed: false,
            refusal: { code: problem.code, status: problem.status, detail: problem.detail, ...(problem.field !== undefined ? { field: problem.field } : {}) },
            verdicts: verdict !== undefined ? [verdict] : [],
            events: [],
            notified: [],
          };
        }
      },
    }),
  );
  return routes;
}
