/**
 * What the logged-in person stands on (GET /v1/session: positions held,
 * what each commands, every authority), asked by the forms to decide which
 * actions to offer. The server still judges every command; these only
 * spare the person forms their positions do not allow.
 */
import type { Authority, Session } from './types.ts';

/** a person who may change things: not a reviewer, not a read-only session */
export function mayAct(s: Session): boolean {
  return !s.reviewer && s.scope === 'write';
}

/** holds a position of `agency` (in their own right or delegated) */
export function holdsPositionOf(s: Session, agency: string): boolean {
  return (s.positions ?? []).some((p) => p.agency === agency);
}

/** commands `position`: holds it, one above it, or a delegation of either */
export function commandsPosition(s: Session, position: string): boolean {
  return (s.positions ?? []).some((p) => p.positions.includes(position));
}

/** commands `unit` through its agency's chain */
export function commandsUnit(s: Session, unit: string): boolean {
  return (s.positions ?? []).some((p) => p.units.includes(unit));
}

/** has operational direction on the incident (its commander, a unified command seat, or a delegation of them) */
export function directsIncident(s: Session, incident: string): boolean {
  return (s.authorities ?? []).some(
    (a) => (a.kind === 'incident_commander' || a.kind === 'unified_command' || a.kind === 'incident_delegation') && a['incident'] === incident,
  );
}

/** the authorities an order or a decision can rest on, for a choice in a form */
export function authorityChoices(s: Session): readonly Authority[] {
  return s.authorities ?? [];
}
