import type { ActorRef, Authority } from '../../shared/types.ts';

export function describeAuthority(a: Authority | undefined): string {
  if (a === undefined) return '—';
  switch (a.kind) {
    case 'position':
      return `position ${String(a['position'])}`;
    case 'delegation':
      return `delegation ${String(a['delegation'])} (${String(a['position'])})`;
    case 'incident_commander':
      return `incident commander of ${String(a['incident'])}`;
    case 'unified_command':
      return `unified command of ${String(a['incident'])} (${String(a['agency'])})`;
    default:
      return a.kind;
  }
}

export function describeActor(a: ActorRef | undefined): string {
  if (a === undefined) return '—';
  const who = a.name ?? a.person ?? a.device;
  return who === undefined ? a.agency : `${who} (${a.agency})`;
}
