export { ConnectionIndicator } from './ConnectionIndicator.tsx';
export { useFeed, type FeedState } from './useFeed.ts';
