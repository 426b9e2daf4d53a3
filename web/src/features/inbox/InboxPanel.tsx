import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { getJson, postJson } from '../../shared/api.ts';
import { formatTime } from '../../shared/time.ts';
import type { Notification } from '../../shared/types.ts';

/** unacknowledged urgent first, then unacknowledged, then the rest; newest first within each */
function rank(n: Notification): number {
  if (n.status === 'acknowledged') return 2;
  return n.urgent ? 0 : 1;
}

/** the caller's notifications (reading them marks them delivered), with acknowledge */
export function InboxPanel({ incident }: { readonly incident?: string }) {
  const client = useQueryClient();
  const inbox = useQuery({ queryKey: ['notifications'], queryFn: () => getJson<{ notifications: Notification[] }>('/v1/notifications') });
  const ack = useMutation({
    mutationFn: (id: string) => postJson<unknown>(`/v1/notifications/${encodeURIComponent(id)}/acknowledge`),
    onSettled: () => client.invalidateQueries({ queryKey: ['notifications'] }),
  });
  const items = (inbox.data?.notifications ?? [])
    .filter((n) => incident === undefined || n.incident === undefined || n.incident === incident)
    .sort((a, b) => rank(a) - rank(b) || b.index - a.index);
  const open = items.filter((n) => n.status !== 'acknowledged').length;
  return (
    <section aria-labelledby="inbox-title" className="panel">
      <h2 id="inbox-title" tabIndex={-1}>
        Inbox <span className="count">{open} to acknowledge</span>
      </h2>
      {inbox.error !== null && <p role="alert">Could not load the inbox: {inbox.error.message}</p>}
      {ack.error !== null && <p role="alert">Not acknowledged: {ack.error.message}</p>}
      {items.length === 0 && inbox.isSuccess && <p className="muted">Nothing addressed to you.</p>}
      <ul className="list scroll" aria-label="Notifications" tabIndex={0}>
        {items.map((n) => (
          <li key={n.id} className={`item ${n.urgent && n.status !== 'acknowledged' ? 'urgent' : ''}`} data-notification={n.id}>
            <p>
              {n.urgent && <span className="badge badge-urgent">Urgent</span>} <span className="badge">{n.status}</span>{' '}
              <span className="muted">{n.topic}</span>
            </p>
            <p>{n.message}</p>
            {n.reason !== undefined && <p className="reason">Reason: {n.reason}</p>}
            <p className="muted">
              {formatTime(n.createdAt)}
              {n.acknowledgedAt !== undefined &&
                ` · acknowledged ${formatTime(n.acknowledgedAt)} by ${n.acknowledgedBy?.person ?? n.acknowledgedBy?.agency ?? ''}`}
            </p>
            {n.status !== 'acknowledged' && (
              <button type="button" data-acknowledge-notification={n.id} onClick={() => ack.mutate(n.id)} disabled={ack.isPending && ack.variables === n.id}>
                Acknowledge<span className="visually-hidden"> {n.topic}</span>
              </button>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
