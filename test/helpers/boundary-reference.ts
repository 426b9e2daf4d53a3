/**
 * Who may read each ledger entry and each record, written from the tables of
 * docs/boundaries.md and nothing else: the reference the server tests hold
 * the server's answers against. It imports nothing from src/ on purpose: it
 * keeps its own small account of the record (whose unit, whose person, who
 * takes part in which incident), so that a mistake in
 * src/domain/boundaries.ts is not repeated here and hidden.
 *
 * Fold the ledger through `add` in order; `readersOf(index)` is then who may
 * read that entry, fixed when it was written (docs: "Each entry of the
 * ledger gets its readers when it is written ... and keeps them").
 */

/** an entry as the ledger stores it (the parsed canonical text) */
export interface StoredEntry {
  readonly type: string;
  readonly actor: { readonly agency: string; readonly person?: string; readonly device?: string };
  readonly incident?: string;
  readonly received: string;
  // the body of any entry kind: this reference reads the few fields the rules name
  readonly body: Record<string, unknown>;
}

/** who reads: a member (person or the agency's system) or a reviewer */
export interface Reader {
  readonly agency: string;
  readonly person?: string;
  readonly reviewer?: boolean;
}

export interface Readers {
  readonly agencies: ReadonlySet<string>;
  /** people who read it by name (a message addressed to them), not the rest of their agency */
  readonly people: ReadonlySet<string>;
}

export function reads(reader: Reader, readers: Readers): boolean {
  if (reader.reviewer === true) return true;
  return readers.agencies.has(reader.agency) || (reader.person !== undefined && readers.people.has(reader.person));
}

export interface RequestRecord {
  readonly id: string;
  readonly from: string;
  readonly to: string;
  readonly incident: string | undefined;
}
export interface OrderRecord {
  readonly id: string;
  readonly issuer: string;
  readonly units: readonly string[];
  readonly people: readonly string[];
  readonly incident: string | undefined;
}
export interface ConflictRecord {
  readonly id: string;
  readonly unit: string;
  readonly orders: readonly string[];
  readonly incident: string | undefined;
}
export interface NotificationRecord {
  readonly id: string;
  readonly from: string;
  readonly to: { readonly agency: string; readonly person?: string };
  readonly position: string | undefined;
  readonly incident: string | undefined;
}
export interface MessageRecord {
  readonly id: string;
  readonly from: string;
  readonly agencies: readonly string[];
  readonly people: readonly string[];
  readonly incident: string | undefined;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const strs = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

export class BoundaryReference {
  readonly byIndex: Readers[] = [];
  private readonly agencyOfPerson = new Map<string, string>();
  private readonly agencyOfPosition = new Map<string, string>();
  private readonly agencyOfUnit = new Map<string, string>();
  private readonly appointments = new Map<string, { person: string; position: string }>();
  /** the incident a unit is assigned to now */
  private readonly unitOn = new Map<string, string>();
  /** the agencies taking part in each incident (taking part never ends) */
  readonly takingPart = new Map<string, Set<string>>();
  private readonly commandOf = new Map<string, string[]>();
  readonly requests = new Map<string, RequestRecord>();
  readonly orders = new Map<string, OrderRecord>();
  readonly conflicts = new Map<string, ConflictRecord>();
  readonly notifications = new Map<string, NotificationRecord>();
  readonly messages = new Map<string, MessageRecord>();
  private readonly delegations = new Map<string, { to?: string; grantor: string; incident?: string }>();

  /** the reference over the given entries, in ledger order */
  static of(entries: Iterable<StoredEntry>): BoundaryReference {
    const r = new BoundaryReference();
    for (const e of entries) r.add(e);
    return r;
  }

  readersOf(index: number): Readers {
    const r = this.byIndex[index];
    if (r === undefined) throw new Error(`the reference has not read entry ${index}`);
    return r;
  }

  /** the units on an incident now */
  unitsOn(incident: string): string[] {
    return [...this.unitOn].filter(([, i]) => i === incident).map(([u]) => u);
  }

  /** records: who shares each one (docs/boundaries.md, "What another agency sees") */
  requestReaders(r: RequestRecord): Readers {
    return { agencies: new Set([r.from, r.to]), people: new Set() };
  }
  orderReaders(o: OrderRecord): Readers {
    return {
      agencies: this.defined([o.issuer, ...o.units.map((u) => this.agencyOfUnit.get(u)), ...o.people.map((p) => this.agencyOfPerson.get(p))]),
      people: new Set(),
    };
  }
  conflictReaders(c: ConflictRecord): Readers {
    return {
      agencies: this.defined([
        this.agencyOfUnit.get(c.unit),
        ...c.orders.map((o) => this.orders.get(o)?.issuer),
        ...(c.incident === undefined ? [] : (this.commandOf.get(c.incident) ?? [])),
      ]),
      people: new Set(),
    };
  }
  notificationReaders(n: NotificationRecord): Readers {
    return { agencies: new Set([n.from, n.to.agency]), people: new Set() };
  }
  messageReaders(m: MessageRecord): Readers {
    return { agencies: new Set([m.from, ...m.agencies]), people: new Set(m.people) };
  }

  private defined(xs: readonly (string | undefined)[]): Set<string> {
    return new Set(xs.filter((x): x is string => x !== undefined));
  }

  private parts(incident: string | undefined): Set<string> {
    if (incident === undefined) return new Set();
    let s = this.takingPart.get(incident);
    if (s === undefined) {
      s = new Set();
      this.takingPart.set(incident, s);
    }
    return s;
  }

  /** a unit's status or position: its agency and, while it is on an incident, every agency taking part */
  private unitPicture(unit: string | undefined): string[] {
    if (unit === undefined) return [];
    const on = this.unitOn.get(unit);
    return [...this.defined([this.agencyOfUnit.get(unit)]), ...(on === undefined ? [] : this.parts(on))];
  }

  add(e: StoredEntry): Readers {
    const b = e.body;
    const agencies: (string | undefined)[] = [e.actor.agency];
    let people: string[] = [];
    const incident = e.incident;
    const join = (...who: (string | undefined)[]): void => {
      for (const a of who) if (a !== undefined && incident !== undefined) this.parts(incident).add(a);
    };
    switch (e.type) {
      case 'agency.registered':
      case 'agency.configured':
        agencies.push(str(b['agency']));
        break;
      case 'position.established':
        agencies.push(str(b['agency']));
        this.agencyOfPosition.set(str(b['position']) ?? '', str(b['agency']) ?? '');
        break;
      case 'person.registered':
        agencies.push(str(b['agency']));
        this.agencyOfPerson.set(str(b['person']) ?? '', str(b['agency']) ?? '');
        break;
      case 'person.appointed': {
        const person = str(b['person']) ?? '';
        const position = str(b['position']) ?? '';
        agencies.push(this.agencyOfPerson.get(person), this.agencyOfPosition.get(position));
        this.appointments.set(str(b['appointment']) ?? '', { person, position });
        break;
      }
      case 'person.relieved': {
        const a = this.appointments.get(str(b['appointment']) ?? '');
        if (a !== undefined) agencies.push(this.agencyOfPerson.get(a.person), this.agencyOfPosition.get(a.position));
        break;
      }
      case 'unit.registered':
        agencies.push(str(b['agency']));
        this.agencyOfUnit.set(str(b['unit']) ?? '', str(b['agency']) ?? '');
        break;
      case 'unit.updated':
        agencies.push(this.agencyOfUnit.get(str(b['unit']) ?? ''));
        break;
      case 'unit.status_changed':
        agencies.push(...this.unitPicture(str(b['unit'])));
        break;
      case 'unit.positions_reported':
        for (const fix of Array.isArray(b['positions']) ? (b['positions'] as { unit?: unknown }[]) : []) agencies.push(...this.unitPicture(str(fix.unit)));
        break;
      case 'delegation.granted': {
        const scope = b['scope'] as { kind?: unknown; incident?: unknown } | undefined;
        const to = this.agencyOfPerson.get(str(b['to']) ?? '');
        const on = scope?.kind === 'incident_command' ? str(scope.incident) : undefined;
        agencies.push(to, ...(on === undefined ? [] : this.parts(on)));
        this.delegations.set(str(b['delegation']) ?? '', {
          ...(to !== undefined ? { to } : {}),
          grantor: e.actor.agency,
          ...(on !== undefined ? { incident: on } : {}),
        });
        break;
      }
      case 'delegation.revoked': {
        const d = this.delegations.get(str(b['delegation']) ?? '');
        if (d !== undefined) agencies.push(d.to, d.grantor, ...(d.incident === undefined ? [] : this.parts(d.incident)));
        break;
      }
      case 'incident.opened':
        join(e.actor.agency, str(b['leadAgency']));
        agencies.push(...this.parts(incident));
        break;
      case 'incident.updated':
      case 'incident.closed':
        agencies.push(...this.parts(incident));
        break;
      case 'incident.command_established': {
        const s = b['structure'] as { kind?: unknown; commander?: { agency?: unknown }; members?: { agency?: unknown }[] } | undefined;
        const members = (s?.kind === 'single' ? [s.commander] : (s?.members ?? [])).map((m) => str(m?.agency));
        join(...members);
        if (incident !== undefined) this.commandOf.set(incident, [...this.defined(members)]);
        agencies.push(...this.parts(incident));
        break;
      }
      case 'incident.liaison_designated':
        join(str(b['agency']));
        agencies.push(...this.parts(incident));
        break;
      case 'incident.unit_assigned': {
        const unit = str(b['unit']) ?? '';
        join(this.agencyOfUnit.get(unit));
        if (incident !== undefined) this.unitOn.set(unit, incident);
        agencies.push(...this.parts(incident));
        break;
      }
      case 'incident.unit_released': {
        const unit = str(b['unit']) ?? '';
        agencies.push(...this.parts(incident), this.agencyOfUnit.get(unit));
        this.unitOn.delete(unit);
        break;
      }
      case 'request.sent': {
        const r: RequestRecord = { id: str(b['request']) ?? '', from: str(b['from']) ?? '', to: str(b['to']) ?? '', incident };
        this.requests.set(r.id, r);
        join(r.from, r.to);
        agencies.push(r.from, r.to);
        break;
      }
      case 'order.issued': {
        const o: OrderRecord = { id: str(b['order']) ?? '', issuer: e.actor.agency, units: strs(b['units']), people: strs(b['people']), incident };
        this.orders.set(o.id, o);
        agencies.push(...this.orderReaders(o).agencies);
        break;
      }
      case 'order.acknowledged': {
        const o = this.orders.get(str(b['order']) ?? '');
        if (o !== undefined) agencies.push(...this.orderReaders(o).agencies);
        break;
      }
      case 'order.conflict_detected': {
        const c: ConflictRecord = { id: str(b['conflict']) ?? '', unit: str(b['unit']) ?? '', orders: strs(b['orders']), incident };
        this.conflicts.set(c.id, c);
        agencies.push(...this.conflictReaders(c).agencies);
        break;
      }
      case 'conflict.resolved': {
        const c = this.conflicts.get(str(b['conflict']) ?? '');
        if (c !== undefined) agencies.push(...this.conflictReaders(c).agencies);
        break;
      }
      case 'message.sent': {
        const m: MessageRecord = { id: str(b['message']) ?? '', from: e.actor.agency, agencies: strs(b['agencies']), people: strs(b['people']), incident };
        this.messages.set(m.id, m);
        agencies.push(...m.agencies);
        people = [...m.people];
        break;
      }
      case 'notification.created': {
        const to = b['recipient'] as { agency: string; person?: string };
        const n: NotificationRecord = { id: str(b['notification']) ?? '', from: e.actor.agency, to, position: str(b['position']), incident };
        this.notifications.set(n.id, n);
        agencies.push(to.agency);
        break;
      }
      case 'notification.delivered':
      case 'notification.acknowledged': {
        const n = this.notifications.get(str(b['notification']) ?? '');
        if (n !== undefined) agencies.push(n.from, n.to.agency);
        break;
      }
      default:
        if (e.type.startsWith('request.')) {
          // every step of a request: the requesting and the receiving agency
          const r = this.requests.get(str(b['request']) ?? '');
          if (r !== undefined) agencies.push(r.from, r.to);
        }
      // any other entry: the actor's agency's own record
    }
    const readers: Readers = { agencies: this.defined(agencies), people: new Set(people) };
    this.byIndex.push(readers);
    return readers;
  }
}
