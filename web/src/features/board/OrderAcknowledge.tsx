import { useMutation, useQueryClient } from '@tanstack/react-query';
import { postJson } from '../../shared/api.ts';
import { mayAct } from '../../shared/standing.ts';
import type { Order, Session } from '../../shared/types.ts';
import type { UnitChoice } from './useUnitChoices.ts';

/**
 * Acknowledge an order: for the person themselves when it names them, and
 * for each unit it is addressed to that the person is a member of (only a
 * unit's members acknowledge for it). Nothing for anyone else.
 */
export function OrderAcknowledge({ order, session, units }: { readonly order: Order; readonly session: Session; readonly units: readonly UnitChoice[] }) {
  const client = useQueryClient();
  const ack = useMutation({
    mutationFn: (body: { unit?: string; person?: string }) => postJson<unknown>(`/v1/orders/${encodeURIComponent(order.id)}/acknowledge`, body),
    onSettled: () => client.invalidateQueries({ queryKey: ['incident'] }),
  });
  if (!mayAct(session) || session.person === undefined) return null;
  const person = session.person;
  const members = new Map(units.map((u) => [u.id, u.members ?? []]));
  const mine = (order.acknowledgements ?? []).filter(
    (a) => !a.acknowledged && ((a.kind === 'person' && a.id === person) || (a.kind === 'unit' && (members.get(a.id) ?? []).includes(person))),
  );
  if (mine.length === 0) return null;
  return (
    <div className="actions" role="group" aria-label={`Acknowledge order ${order.id}`}>
      {mine.map((a) => (
        <button
          key={`${a.kind}:${a.id}`}
          type="button"
          data-acknowledge={`${a.kind}:${a.id}`}
          disabled={ack.isPending}
          onClick={() => ack.mutate(a.kind === 'unit' ? { unit: a.id } : { person: a.id })}
        >
          Acknowledge {a.kind === 'unit' ? `for ${a.name ?? a.id}` : 'the order'}
        </button>
      ))}
      {ack.error !== null && (
        <p role="alert" className="error">
          ⚠ {ack.error.message}
        </p>
      )}
    </div>
  );
}
