import { formatTime } from '../../shared/time.ts';
import { memo } from 'react';
import type { Order, Session } from '../../shared/types.ts';
import { describeActor, describeAuthority } from './authority.ts';
import { OrderAcknowledge } from './OrderAcknowledge.tsx';
import { useUnitChoices, type UnitChoice } from './useUnitChoices.ts';
import { VerdictView } from './Verdict.tsx';

/** the orders of the incident: directive, issuer, authority, rationale, verdicts, each recipient's acknowledgement */
export function OrdersPanel({ orders, session }: { readonly orders: readonly Order[]; readonly session: Session }) {
  const units = useUnitChoices();
  const sorted = [...orders].sort((a, b) => b.issuedAt.localeCompare(a.issuedAt));
  return (
    <section aria-labelledby="orders-title" className="panel">
      <h2 id="orders-title">
        Orders <span className="count">{orders.length}</span>
      </h2>
      {sorted.length === 0 && <p className="muted">No orders.</p>}
      <ul className="list">
        {sorted.map((o) => (
          <OrderCard key={o.id} order={o} session={session} units={units} />
        ))}
      </ul>
    </section>
  );
}

/** one order; unchanged orders are not drawn again when the board is (structural sharing keeps their objects) */
const OrderCard = memo(function OrderCard({
  order: o,
  session,
  units,
}: {
  readonly order: Order;
  readonly session: Session;
  readonly units: readonly UnitChoice[];
}) {
  const acks = o.acknowledgements ?? [];
  const open = acks.filter((a) => !a.acknowledged).length;
  return (
    <li className="item" data-order={o.id} aria-labelledby={`${o.id}-title`}>
      <h3 id={`${o.id}-title`}>
        {o.id}: {o.directive}
        {o.target !== undefined && <> ({o.target})</>} <span className="badge">{o.status}</span>
      </h3>
      <dl className="facts">
        <dt>Issued</dt>
        <dd>
          {formatTime(o.issuedAt)} by {describeActor(o.issuer)}
        </dd>
        <dt>Authority</dt>
        <dd>{describeAuthority(o.authority)}</dd>
        <dt>Rationale</dt>
        <dd className="reason">{o.rationale}</dd>
      </dl>
      {(o.verdicts ?? []).map((v) => (
        <VerdictView key={v.agency} verdict={v} />
      ))}
      <table className="acks">
        <caption>
          Acknowledgements: {acks.length - open} of {acks.length}
          {open > 0 && <strong> · {open} not acknowledged</strong>}
        </caption>
        <thead>
          <tr>
            <th scope="col">Recipient</th>
            <th scope="col">Acknowledged</th>
          </tr>
        </thead>
        <tbody>
          {acks.map((a) => (
            <tr key={`${a.kind}:${a.id}`} className={a.acknowledged ? '' : 'late'}>
              <td>
                {a.name ?? a.id} <span className="muted">({a.kind})</span>
              </td>
              <td>{a.acknowledged ? `✓ yes${a.at !== undefined ? `, ${formatTime(a.at)}` : ''}` : '✕ not yet'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <OrderAcknowledge order={o} session={session} units={units} />
    </li>
  );
});
