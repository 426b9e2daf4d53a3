import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ApiProblem, getJson, postJson, setCsrfToken } from '../../shared/api.ts';
import type { Session } from '../../shared/types.ts';

export const sessionKey = ['session'] as const;

/** who is logged in (GET /v1/session), or null: a 401 is an answer here, not an error */
export function useSession() {
  return useQuery({
    queryKey: sessionKey,
    queryFn: async (): Promise<Session | null> => {
      try {
        const s = await getJson<Session>('/v1/session');
        setCsrfToken(s.csrfToken);
        return s;
      } catch (e) {
        if (e instanceof ApiProblem && e.problem.status === 401) return null;
        throw e;
      }
    },
    staleTime: Infinity,
  });
}

export function useLogin() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (credentials: { login: string; password: string }) => postJson<Session>('/v1/session', credentials),
    onSuccess: (session) => {
      setCsrfToken(session.csrfToken);
      client.setQueryData(sessionKey, session);
    },
  });
}

export function useLogout() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => postJson<unknown>('/v1/session/logout'),
    onSettled: () => {
      setCsrfToken(undefined);
      client.clear();
      client.setQueryData(sessionKey, null);
    },
  });
}
