import { Component, lazy, Suspense, useCallback, useEffect, useState, type ComponentType, type ReactNode } from 'react';
import type { MapCanvasProps } from './MapCanvas.tsx';

/** how long a map chunk that could not be fetched waits before it is tried again, unless the network comes back first */
const RETRY_MS = 5000;

// MapLibre is a chunk of its own, fetched when a board first shows the map
const loadCanvas = (): ComponentType<MapCanvasProps> => lazy(() => import('./MapCanvas.tsx'));

/**
 * The map's chunk, fetched when first shown. A fetch that fails (the
 * network dropped while the board was opening) is said in place of the
 * map and tried again once the network is back, or after a while: the rest
 * of the board stays on screen.
 */
export function MapChunk(props: MapCanvasProps) {
  const [attempt, setAttempt] = useState(0);
  const [Canvas, setCanvas] = useState(loadCanvas);
  const retry = useCallback(() => {
    // a stylesheet that failed to load stays in the page, and the next fetch of the chunk would skip it
    for (const link of document.querySelectorAll<HTMLLinkElement>('link[rel="stylesheet"]')) if (link.sheet === null) link.remove();
    setCanvas(loadCanvas);
    setAttempt((a) => a + 1);
  }, []);
  return (
    <ChunkBoundary key={attempt} onRetry={retry}>
      <Suspense fallback={<p className="map-frame">Loading the map…</p>}>
        <Canvas {...props} />
      </Suspense>
    </ChunkBoundary>
  );
}

class ChunkBoundary extends Component<{ readonly onRetry: () => void; readonly children: ReactNode }, { readonly failed: Error | undefined }> {
  override state = { failed: undefined as Error | undefined };

  static getDerivedStateFromError(failed: Error) {
    return { failed };
  }

  override render() {
    return this.state.failed === undefined ? this.props.children : <ChunkFailed failed={this.state.failed} onRetry={this.props.onRetry} />;
  }
}

function ChunkFailed({ failed, onRetry }: { readonly failed: Error; readonly onRetry: () => void }) {
  useEffect(() => {
    const timer = setTimeout(onRetry, RETRY_MS);
    window.addEventListener('online', onRetry, { once: true });
    return () => {
      clearTimeout(timer);
      window.removeEventListener('online', onRetry);
    };
  }, [onRetry]);
  return (
    <p role="alert" className="error map-failure">
      The map could not be loaded ({failed.message}). Trying again when the network is back, or in {RETRY_MS / 1000} s.
    </p>
  );
}
