import { useEntriesVersion, type EntryLog, type OnScreen } from '../../shared/entries.ts';
import { useCheckpoint } from './useCheckpoint.ts';

function hex(bytes: Uint8Array): string {
  return [...bytes.slice(0, 6)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * The latest signed checkpoint and what the console checked against it:
 * "verified" once its signature holds and every entry on screen that it
 * covers has an inclusion proof leading to its root.
 */
export function CheckpointBadge({ log, onScreen }: { readonly log: EntryLog; readonly onScreen: OnScreen }) {
  const s = useCheckpoint(log, useEntriesVersion(log), onScreen);
  if (s.error !== undefined)
    return (
      <p className="checkpoint checkpoint-failed" data-checkpoint="error">
        Checkpoint: {s.error}
      </p>
    );
  if (s.latest === undefined)
    return (
      <p className="checkpoint" data-checkpoint="loading">
        Checkpoint: loading…
      </p>
    );
  const cp = s.latest.checkpoint;
  const covered = s.onScreen.filter((i) => i < cp.size);
  const failed = covered.filter((i) => s.checks.get(i) === 'failed');
  const verified = covered.filter((i) => s.checks.get(i) === 'verified');
  const state =
    s.latest.signed === false || failed.length > 0
      ? 'failed'
      : verified.length > 0 && verified.length === covered.length && s.uncovered === 0
        ? 'verified'
        : 'checking';
  const signature = s.latest.signed === true ? 'signature valid' : s.latest.signed === false ? 'SIGNATURE INVALID' : 'signature not checked (no Ed25519 here)';
  return (
    <div className={`checkpoint checkpoint-${state}`} data-checkpoint={state} role={state === 'failed' ? 'alert' : 'status'} aria-live="polite">
      <strong>{state === 'verified' ? '✓ Verified' : state === 'failed' ? '✗ Verification failed' : '… Checking'}</strong>{' '}
      <span>
        checkpoint {cp.size} of {cp.origin}, root {hex(cp.root)}…, {signature}
      </span>
      <span className="muted">
        {' '}
        · {verified.length} of {s.onScreen.length} entries on screen proven included
        {s.uncovered > 0 ? `, ${s.uncovered} newer than the checkpoint` : ''}
        {failed.length > 0 ? `; entries ${failed.join(', ')} do not match` : ''}
      </span>
    </div>
  );
}
