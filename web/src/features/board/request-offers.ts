import { commandsPosition, commandsUnit, holdsPositionOf, mayAct } from '../../shared/standing.ts';
import type { AssistanceRequest, Session, Unit } from '../../shared/types.ts';

/** a unit as a form offers it: its id, callsign, type, agency and members */
export type UnitChoice = Pick<Unit, 'id' | 'agency' | 'callsign' | 'type' | 'members'>;

/** a field of an action's form beside the reason */
export type ActionField =
  | { readonly kind: 'units'; readonly options: readonly { readonly id: string; readonly label: string }[]; readonly required: boolean }
  | { readonly kind: 'count'; readonly name: string; readonly label: string }
  | { readonly kind: 'text'; readonly name: string; readonly label: string; readonly required: boolean };

export interface Offer {
  readonly action: string;
  readonly title: string;
  readonly route: string;
  readonly reasonRequired: boolean;
  readonly noReason?: boolean;
  readonly fields?: readonly ActionField[];
}

/**
 * The actions the caller may take on a request, and only those: the
 * request says which its state allows (`actions`, the server's state
 * machine) and the session which positions the person holds and what they
 * command. The receiving side answers if it commands the position
 * responsible for the request (or, with none named, holds a position of the
 * agency); approves if it commands the role the verdict names; withdraws or
 * reports on scene the committed units it commands. The requesting side
 * releases, closes and cancels if it holds a position of its agency. A
 * reviewer or a read-only session acts on nothing. The server judges every
 * command again; the form asks it first (ActionForm's preview).
 */
export function offersFor(request: AssistanceRequest, session: Session, units: readonly UnitChoice[]): Offer[] {
  if (!mayAct(session)) return [];
  const r = request;
  const allowed = new Set(r.actions ?? []);
  const receiver = r.to === session.agency;
  const requester = r.from === session.agency;
  const answers = receiver && (r.responsible !== undefined ? commandsPosition(session, r.responsible.position) : holdsPositionOf(session, r.to));
  const committed = (r.units ?? []).filter((u) => u.ended === undefined);
  const committedIds = new Set(committed.map((u) => u.unit));
  const mine = committed.filter((u) => commandsUnit(session, u.unit));
  const label = (u: { unit: string; callsign?: string }) => ({ id: u.unit, label: u.callsign ?? u.unit });
  const free = units
    .filter((u) => u.agency === session.agency && !committedIds.has(u.id) && commandsUnit(session, u.id))
    .map((u) => ({
      id: u.id,
      label: `${u.callsign} (${u.type ?? 'unit'})`,
    }));
  const out: Offer[] = [];
  const offer = (o: Offer, may: boolean) => {
    if (may && allowed.has(o.action)) out.push(o);
  };
  const approver = r.verdict?.decision === 'needs_approval' && commandsPosition(session, r.verdict.approvalRole ?? r.responsible?.position ?? '');
  offer({ action: 'approve', title: 'Approve', route: 'approve', reasonRequired: true }, receiver && approver);
  offer({ action: 'accept', title: 'Accept', route: 'accept', reasonRequired: true }, answers);
  offer(
    {
      action: 'accept_partly',
      title: 'Accept in part',
      route: 'accept-partly',
      reasonRequired: true,
      fields: [{ kind: 'count', name: 'count', label: 'Units you will send' }],
    },
    answers,
  );
  offer({ action: 'decline', title: 'Decline', route: 'decline', reasonRequired: true }, answers);
  offer(
    {
      action: 'provide',
      title: 'Provide',
      route: 'provide',
      reasonRequired: true,
      fields: [{ kind: 'text', name: 'provided', label: 'What you provide', required: true }],
    },
    answers,
  );
  offer(
    {
      action: 'provide_partly',
      title: 'Provide in part',
      route: 'provide-partly',
      reasonRequired: true,
      fields: [
        { kind: 'text', name: 'provided', label: 'What you provide', required: true },
        { kind: 'text', name: 'withheld', label: 'What you withhold', required: false },
      ],
    },
    answers,
  );
  offer({ action: 'refuse', title: 'Refuse', route: 'refuse', reasonRequired: true }, answers);
  offer({ action: 'escalate', title: 'Escalate up the chain', route: 'escalate', reasonRequired: true }, answers);
  offer(
    {
      action: 'commit',
      title: 'Commit units',
      route: 'commit',
      reasonRequired: false,
      fields: [{ kind: 'units', options: free, required: true }],
    },
    answers,
  );
  offer(
    {
      action: 'report_on_scene',
      title: 'Report units on scene',
      route: 'on-scene',
      reasonRequired: false,
      noReason: true,
      fields: [{ kind: 'units', options: committed.filter((u) => u.onSceneAt === undefined).map(label), required: true }],
    },
    committed.some((u) => u.onSceneAt === undefined) && ((receiver && (answers || mine.length > 0)) || requester),
  );
  offer(
    {
      action: 'withdraw',
      title: 'Withdraw units',
      route: 'withdraw',
      reasonRequired: true,
      fields: [{ kind: 'units', options: mine.map(label), required: false }],
    },
    receiver && mine.length > 0,
  );
  offer(
    {
      action: 'release',
      title: 'Release units',
      route: 'release',
      reasonRequired: true,
      fields: [{ kind: 'units', options: committed.map(label), required: false }],
    },
    requester && holdsPositionOf(session, r.from),
  );
  offer({ action: 'cancel', title: 'Cancel the request', route: 'cancel', reasonRequired: true }, requester && holdsPositionOf(session, r.from));
  offer(
    { action: 'close', title: 'Close the request', route: 'close', reasonRequired: true },
    (requester || receiver) && holdsPositionOf(session, session.agency),
  );
  return out;
}
