/**
 * Who is calling: a person of an agency logged in to the console (a
 * session), or a system of an agency (an API token). The accounts
 * (src/app/accounts.ts) say who; the actor of every command comes from
 * here, never from the request body.
 */
import { actorOf, type Principal } from '../app/accounts.ts';
import type { Caller } from '../domain/index.ts';

export { actorOf, type Principal };

/** the reader the agency boundaries judge (boundaries.ts) */
export function callerOf(p: Principal): Caller {
  return { agency: p.agency, ...(p.kind === 'session' ? { person: p.person } : {}), role: p.reviewer ? 'reviewer' : 'member' };
}
