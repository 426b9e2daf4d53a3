import { useId } from 'react';
import type { AssistanceRequest, Order } from '../../shared/types.ts';
import type { IncidentCommand, PictureUnit } from '../../shared/picture.ts';
import type { PersonRef } from '../../shared/types.ts';
import { formatTime } from '../../shared/time.ts';

/** who directs a unit on the scene, apart from who commands it at home */
function direction(u: PictureUnit, command: IncidentCommand | null, request: AssistanceRequest | undefined, order: Order | undefined): string {
  const parts: string[] = [];
  if (request !== undefined && request.from !== u.agency) parts.push(`serving ${request.from}'s request ${request.id}`);
  else if (request !== undefined) parts.push(`on request ${request.id}`);
  if (command !== null)
    parts.push(`under the ${command.kind === 'unified' ? 'unified command' : 'incident commander'} (${command.members.map((m) => m.name).join(', ')})`);
  if (order !== undefined)
    parts.push(
      `last order: ${order.directive} (${order.id}) from ${order.issuer.name ?? order.issuer.person ?? order.issuer.agency} of ${order.issuer.agency}`,
    );
  return parts.length === 0 ? 'directed by its own agency only' : parts.join('; ');
}

/** the newest order in effect that names the unit among its recipients */
function lastOrderFor(unit: string, orders: readonly Order[]): Order | undefined {
  for (let i = orders.length - 1; i >= 0; i--) {
    const o = orders[i] as Order;
    if (o.status !== 'active') continue;
    if (o.acknowledgements?.some((a) => a.kind === 'unit' && a.id === unit)) return o;
  }
  return undefined;
}

/**
 * The incident's command: the incident commander or the unified command,
 * the liaisons, and every unit on the incident by its home agency, with
 * who directs it on the scene beside who commands it at home.
 */
export function CommandChart({
  command,
  liaisons,
  agencies,
  units,
  requests,
  orders,
}: {
  readonly command: IncidentCommand | null;
  readonly liaisons: readonly PersonRef[];
  readonly agencies: readonly { readonly id: string; readonly name: string }[];
  readonly units: readonly PictureUnit[];
  readonly requests: readonly AssistanceRequest[];
  readonly orders: readonly Order[];
}) {
  const id = useId();
  const requestById = new Map(requests.map((r) => [r.id, r]));
  return (
    <section className="panel command-chart" aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>Command</h2>
      <div className="cc-top" data-command={command?.kind ?? 'none'}>
        {command === null ? (
          <p>No incident command established yet.</p>
        ) : (
          <>
            <h3>{command.kind === 'unified' ? 'Unified command' : 'Incident commander'}</h3>
            <ul className="cc-members">
              {command.members.map((m) => (
                <li key={m.id} data-member={m.id}>
                  <strong>{m.name ?? m.id}</strong> <span className="muted">({m.agency})</span>
                </li>
              ))}
            </ul>
            <p className="muted">
              Since {formatTime(command.since)}; {command.reason}
            </p>
          </>
        )}
        <h3>Liaisons</h3>
        <ul className="cc-members">
          {liaisons.map((l) => (
            <li key={l.id} data-liaison={l.id}>
              {l.name ?? l.id} <span className="muted">({l.agency})</span>
            </li>
          ))}
          {liaisons.length === 0 ? <li className="muted">none designated</li> : null}
        </ul>
      </div>
      <h3>Home agencies and their units</h3>
      <div className="cc-agencies">
        {agencies.map((a) => {
          const own = units.filter((u) => u.agency === a.id);
          return (
            <div key={a.id} className="cc-agency" data-agency={a.id}>
              <h4>
                {a.name} <span className="muted">home command of {own.length === 1 ? '1 unit' : `${own.length} units`}</span>
              </h4>
              <ul>
                {own.map((u) => {
                  const r = u.request !== undefined ? requestById.get(u.request) : undefined;
                  return (
                    <li key={u.id} data-unit={u.id}>
                      <strong>{u.callsign}</strong> {u.status !== undefined ? <span className="badge">{u.status.status.replace(/_/g, ' ')}</span> : null}
                      <div className="cc-direction">
                        <span className="muted">home:</span> {a.id} · <span className="muted">on scene:</span>{' '}
                        {direction(u, command, r, lastOrderFor(u.id, orders))}
                      </div>
                    </li>
                  );
                })}
                {own.length === 0 ? <li className="muted">no units on the incident</li> : null}
              </ul>
            </div>
          );
        })}
      </div>
    </section>
  );
}
