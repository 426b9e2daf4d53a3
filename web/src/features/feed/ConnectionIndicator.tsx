import type { FeedState } from './useFeed.ts';

const LABEL: Record<FeedState['status'], { readonly symbol: string; readonly text: string }> = {
  connecting: { symbol: '…', text: 'Connecting to the live feed' },
  live: { symbol: '●', text: 'Live' },
  reconnecting: { symbol: '↻', text: 'Connection lost, reconnecting' },
  closed: { symbol: '■', text: 'Not connected' },
};

/**
 * The feed's state in words and a symbol (never colour alone), announced
 * when it changes; the entry it has reached is shown beside it, outside the
 * announced part (on a busy incident it moves several times a second).
 */
export function ConnectionIndicator({ feed }: { readonly feed: FeedState }) {
  const l = LABEL[feed.status];
  return (
    <p className={`connection connection-${feed.status}`} data-feed-index={feed.index}>
      <span role="status" aria-live="polite">
        <span aria-hidden="true">{l.symbol}</span> {l.text}
      </span>
      {feed.index >= 0 ? <span className="muted"> · entry {feed.index}</span> : null}
    </p>
  );
}
