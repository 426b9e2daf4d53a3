/** Worker thread body: reads and checks runs of entries for the verifier. */
import { parentPort } from 'node:worker_threads';
import { checkStoredRun, type RunRequest } from '../entry-runs.ts';

parentPort?.on('message', (req: RunRequest) => {
  try {
    const result = checkStoredRun(req.path, req.origin, req.from, req.to);
    parentPort?.postMessage({ id: req.id, ...result }, [result.leaves.buffer as ArrayBuffer]);
  } catch (e) {
    // an unreadable database is reported by the main thread as a problem
    parentPort?.postMessage({
      id: req.id,
      count: 0,
      leaves: new Uint8Array(0),
      problems: [{ index: req.from, reason: `cannot read: ${(e as Error).message}` }],
      sealed: [],
      firstReceived: '',
      lastReceived: '',
      missing: { expected: req.from, found: undefined },
    });
  }
});
