/**
 * The incident state as text for a person at a terminal: what a commander or
 * a review board reads first. The JSON (--json) carries everything; this
 * shows the decisions, who made them, on what authority and why.
 */
import type { CliIo } from './command.ts';

type View = Record<string, unknown>;
type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- the view is plain JSON read field by field

const who = (p: Obj | undefined): string => {
  if (p === undefined) return '?';
  if (p.name) return `${p.name} (${p.agency ?? p.id})`;
  const named = p.person ?? p.device;
  return named ? `${named} (${p.agency})` : (p.agency ?? p.id ?? '?');
};
const authority = (a: Obj | undefined): string => {
  if (a === undefined) return '';
  const kind = a.kind ?? '';
  const ref = a.position ?? a.delegation ?? a.role ?? a.incident ?? '';
  return ` on the authority of ${kind}${ref ? ` ${ref}` : ''}`;
};
const time = (t: unknown): string => (typeof t === 'string' ? t.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '?');
/** a WGS84 point as "lat, lon" in decimal degrees, as people read them off a map */
const point = (c: Obj | undefined): string => (c === undefined ? '' : `${c.lat}, ${c.lon}`);
const words = (x: unknown): string => String(x).replaceAll('_', ' ');
/** text someone wrote, kept whole: its later lines indented under the first */
const indented = (text: unknown, indent: string): string => String(text).split(/\r?\n/).join(`\n${indent}`);

function unitLine(u: Obj): string | undefined {
  const st = u.status as Obj | undefined;
  const pos = u.position as Obj | undefined;
  if (st === undefined && pos === undefined) return undefined;
  const parts: string[] = [];
  if (st !== undefined) {
    const observed = st.observed ? ` (its clock: ${time(st.observed)})` : '';
    parts.push(`${words(st.status)} since ${time(st.since)}${observed} by ${who(st.by)}${authority(st.authority)}${st.reason ? `: ${st.reason}` : ''}`);
  }
  if (pos !== undefined) {
    const accuracy = pos.accuracy !== undefined ? ` ±${pos.accuracy} m` : '';
    parts.push(`last at ${point(pos)}${accuracy}, fix ${time(pos.observed)}, received ${time(pos.received)}`);
  }
  return `    ${u.callsign} (${u.agency}): ${parts.join('; ')}`;
}

export function printIncident(io: CliIo, view: View): void {
  const out: string[] = [];
  const v = view as Obj;
  const i = v.incident as Obj;
  const where = `${i.location}${i.coordinates ? ` (${point(i.coordinates)})` : ''}`;
  out.push(`Incident ${i.id}: ${i.name} (${i.status}) at ${where}, opened ${time(i.openedAt)}, lead agency ${i.leadAgency}`);
  out.push(`  as of entry ${v.asOf?.index ?? '-'} received ${time(v.asOf?.received)}`);
  const c = v.command as Obj | null;
  if (c) {
    const members = c.kind === 'single' ? `incident commander ${who(c.commander)}` : `unified command: ${(c.members as Obj[]).map(who).join(', ')}`;
    out.push(`  Command: ${members} since ${time(c.since)}`);
  }
  if ((v.liaisons as Obj[]).length > 0) out.push(`  Liaisons: ${(v.liaisons as Obj[]).map(who).join(', ')}`);
  if ((v.units as Obj[]).length > 0) {
    out.push(`  Units on the incident: ${(v.units as Obj[]).map((u) => `${u.callsign} (${u.agency})`).join(', ')}`);
    for (const u of v.units as Obj[]) {
      const line = unitLine(u);
      if (line !== undefined) out.push(line);
    }
  }

  for (const r of v.requests as Obj[]) {
    out.push('');
    const asked =
      r.kind === 'information'
        ? `information (${r.information?.kind ?? '?'}${r.information?.personalData ? ', personal data' : ''})`
        : r.kind === 'other'
          ? 'other help'
          : `${r.unitsRequested} unit(s)`;
    out.push(`  Request ${r.id}: ${r.from} -> ${r.to}, ${r.category}, ${r.urgency}, ${asked}, operation ${r.operation}: ${r.state.toUpperCase()}`);
    if (r.description) out.push(`    "${r.description}"`);
    if (r.location || r.coordinates) out.push(`    Where: ${[r.location, r.coordinates ? `(${point(r.coordinates)})` : ''].filter(Boolean).join(' ')}`);
    const basis = r.legalBasis as Obj | undefined;
    if (basis) {
      const parts = [
        basis.statute ? `statute ${basis.statute}` : '',
        basis.warrant ? `${basis.warrant.kind} warrant ${basis.warrant.reference}` : '',
        basis.courtOrder ? `court order ${basis.courtOrder.reference}` : '',
        basis.consent ? 'consent' : '',
      ].filter((x) => x !== '');
      if (parts.length > 0) out.push(`    Legal basis: ${parts.join('; ')}`);
    }
    const verdict = r.verdict as Obj | null;
    if (verdict) {
      out.push(
        `    Verdict: ${String(verdict.decision).replace('_', ' ')}${verdict.approvalRole ? ` by ${verdict.approvalRole}` : ''} under ${verdict.policyVersion}`,
      );
      for (const cl of verdict.clauses as Obj[]) out.push(`      ${cl.id}${cl.cite ? `: ${cl.cite}` : ''}`);
    } else {
      out.push('    Verdict: none yet');
    }
    for (const e of r.escalations as Obj[]) out.push(`    Escalated ${time(e.at)} to ${e.to}: ${e.reason}`);
    if (r.approval) out.push(`    Approved ${time(r.approval.at)} by ${who(r.approval.by)}${authority(r.approval.authority)}: ${r.approval.reason}`);
    const a = r.answer as Obj | null;
    if (a) {
      out.push(`    ${String(a.kind).replace('_', ' ')} ${time(a.at)} by ${who(a.by)}${authority(a.authority)}: ${a.reason}`);
      if (a.provided) out.push(`      provided: ${a.provided}${a.withheld ? `; withheld: ${a.withheld}` : ''}`);
    }
    for (const u of r.units as Obj[])
      out.push(`    Unit ${u.callsign}: ${u.status}, committed ${time(u.committedAt)}${u.onSceneAt ? `, on scene ${time(u.onSceneAt)}` : ''}`);
    for (const w of r.withdrawals as Obj[]) {
      out.push(
        `    WITHDRAWN ${time(w.at)}: ${(w.units as string[]).join(', ')} by ${who(w.by)}${authority(w.authority)}${w.order ? ` (order ${w.order})` : ''}`,
      );
      out.push(`      reason: ${w.reason}`);
    }
  }
  for (const o of v.orders as Obj[]) {
    out.push('');
    out.push(
      `  Order ${o.id}: ${String(o.directive).toUpperCase()}${o.target ? ` ${o.target}` : ''} (${o.status}), issued ${time(o.issuedAt)} by ${who(o.issuer)}${authority(o.authority)}`,
    );
    out.push(`    rationale: ${o.rationale}`);
    for (const ov of (o.verdicts ?? []) as Obj[]) {
      out.push(
        `    Verdict of ${ov.agency}: ${String(ov.decision).replace('_', ' ')} under ${ov.policyVersion}: ${(ov.clauses as Obj[]).map((c) => c.id).join(', ') || 'default'}`,
      );
    }
    for (const agency of (o.unevaluated ?? []) as string[]) out.push(`    No protocol of ${agency} in effect: not evaluated`);
    for (const ap of (o.approvals ?? []) as Obj[]) out.push(`    Approval of ${ap.role}${authority(ap.authority)}`);
    for (const ack of o.acknowledgements as Obj[]) out.push(`    ${ack.acknowledged ? `acknowledged ${time(ack.at)}` : 'NOT acknowledged'}: ${ack.name}`);
  }
  const conflicts = v.conflicts as Obj[];
  if (conflicts.length > 0) out.push('');
  for (const cf of conflicts) {
    const res = cf.resolution as Obj | undefined;
    out.push(`  ${cf.status === 'open' ? 'OPEN CONFLICT' : 'Conflict'} ${cf.id}, raised ${time(cf.detectedAt)}: ${cf.description}`);
    if (res) out.push(`    resolved ${time(res.at)} by ${who(res.by)}${authority(res.authority)}: ${res.reason}`);
  }
  const messages = (v.messages ?? []) as Obj[];
  if (messages.length > 0) {
    out.push('');
    out.push('  Messages:');
    for (const m of messages) {
      const to = [...(m.agencies as string[]), ...(m.people as Obj[]).map(who)].join(', ');
      out.push(`    ${time(m.sentAt)} ${who(m.from)} to ${to}: ${indented(m.text, '      ')}`);
    }
  }
  const notes = v.notifications as Obj[];
  if (notes.length > 0) {
    out.push('');
    out.push('  Notifications:');
    for (const n of notes) {
      const r = n.recipient as Obj;
      const to = `${r.agency}${r.person ? `/${r.person}` : ''}`;
      const message = String(n.message ?? '');
      const status =
        n.status === 'acknowledged'
          ? `ACKNOWLEDGED ${time(n.acknowledgedAt)}`
          : n.status === 'delivered'
            ? `delivered ${time(n.deliveredAt)}`
            : 'not yet delivered';
      out.push(
        `    ${time(n.createdAt)} ${n.urgent ? 'URGENT ' : ''}to ${to} [${n.topic}] ${status}: ${message.length > 100 ? `${message.slice(0, 97)}...` : message}`,
      );
    }
  }
  io.stdout.write(`${out.join('\n')}\n\n`);
}
