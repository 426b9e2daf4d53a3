import { useId } from 'react';
import type { Order } from '../../shared/types.ts';
import { who, type Conflict, type PictureUnit } from '../../shared/picture.ts';
import { formatTime } from '../../shared/time.ts';

function OrderLine({ id, order }: { readonly id: string; readonly order: Order | undefined }) {
  if (order === undefined) return <li data-order={id}>order {id} (its details are not visible to your agency)</li>;
  return (
    <li data-order={id}>
      <strong>{order.directive}</strong> {order.target !== undefined ? `(${order.target}) ` : ''}— order {id} by {who(order.issuer)},{' '}
      <span className="badge">{order.status}</span> <span className="muted">issued {formatTime(order.issuedAt)}</span>
    </li>
  );
}

/**
 * Orders that contradict each other on a unit: open ones on top, marked as
 * alerts (heading, border, the word "open", not colour alone), each with the
 * two orders concerned and their status; resolved ones below with the
 * resolution's reason.
 */
export function ConflictAlerts({
  conflicts,
  orders,
  units,
}: {
  readonly conflicts: readonly Conflict[];
  readonly orders: readonly Order[];
  readonly units: readonly PictureUnit[];
}) {
  const id = useId();
  const open = conflicts.filter((c) => c.status === 'open');
  const sorted = [...open, ...conflicts.filter((c) => c.status !== 'open')];
  const orderById = new Map(orders.map((o) => [o.id, o]));
  const unitName = (u: string) => units.find((x) => x.id === u)?.callsign ?? u;
  return (
    <section className={`panel conflicts${open.length > 0 ? ' conflicts-open' : ''}`} aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>
        {open.length > 0 ? '⚠ ' : ''}Conflicting orders{' '}
        <span className="count">{open.length > 0 ? `${open.length} open` : conflicts.length === 0 ? 'none' : 'none open'}</span>
      </h2>
      {conflicts.length === 0 ? <p className="muted">No two orders contradict each other.</p> : null}
      <ul className="list" role={open.length > 0 ? 'alert' : undefined}>
        {sorted.map((c) => (
          <li key={c.id} className={`item conflict conflict-${c.status}`} data-conflict={c.id} data-status={c.status}>
            <p>
              <span className={c.status === 'open' ? 'badge badge-urgent' : 'badge'}>{c.status === 'open' ? 'OPEN' : 'resolved'}</span>{' '}
              <strong>unit {unitName(c.unit)}</strong>: {c.description}
            </p>
            <ul className="conflict-orders">
              {c.orders.map((o) => (
                <OrderLine key={o} id={o} order={orderById.get(o)} />
              ))}
            </ul>
            <p className="muted">Detected {formatTime(c.detectedAt)}</p>
            {c.resolution !== undefined ? (
              <p className="reason">
                Resolved {formatTime(c.resolution.at)} by {who(c.resolution.by)}: {c.resolution.reason}
              </p>
            ) : null}
          </li>
        ))}
      </ul>
    </section>
  );
}
