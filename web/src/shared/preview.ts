/**
 * Asks the server what a command would do before it is sent
 * (POST /v1/preview): decided exactly as the command would be, against the
 * protocols in effect now, and recorded nowhere. The form shows the
 * verdicts and clauses, the agencies that would be told, and a refusal the
 * command would meet, while the person is still filling it in.
 */
import { useQuery } from '@tanstack/react-query';
import { postJson } from './api.ts';
import type { Preview } from './types.ts';

/**
 * The words of a reason change no decision, only its absence does: until
 * the person has written one, the preview asks with this one, so it can say
 * what would happen once a reason is given (the form itself still refuses
 * to send without one).
 */
export const PREVIEW_REASON = 'A reason will be given.';

export function usePreview(path: string, body: Record<string, unknown>, enabled: boolean) {
  return useQuery({
    queryKey: ['preview', path, body],
    queryFn: () => postJson<Preview>('/v1/preview', { path, body }),
    enabled,
    staleTime: 0,
    retry: false,
  });
}
