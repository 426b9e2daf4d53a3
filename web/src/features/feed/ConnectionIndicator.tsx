import type { FeedState } from './useFeed.ts';

const LABEL: Record<FeedState['status'], { readonly symbol: string; readonly text: string }> = {
  connecting: { symbol: '…', text: 'Connecting to the live feed' },
  live: { symbol: '●', text: 'Live' },
  reconnecting: { symbol: '↻', text: 'Connection lost, reconnecting' },
  closed: { symbol: '■', text: 'Not connected' },
};

/** the feed's state in words and a symbol (never colour alone), announced when it changes */
export function ConnectionIndicator({ feed }: { readonly feed: FeedState }) {
  const l = LABEL[feed.status];
  return (
    <p className={`connection connection-${feed.status}`} role="status" aria-live="polite" data-feed-index={feed.index}>
      <span aria-hidden="true">{l.symbol}</span> {l.text}
      {feed.index >= 0 ? <span className="muted"> · entry {feed.index}</span> : null}
    </p>
  );
}
