/**
 * Who is calling: a person of an agency logged in to the console (a
 * session), or a system of an agency (an API token). The actor of every
 * command comes from here, never from the request body.
 */
import type { Actor, Caller } from '../domain/index.ts';

export interface Principal {
  readonly kind: 'session' | 'token';
  readonly agency: string;
  /** the person logged in; a token acts for its agency as a device */
  readonly person?: string;
  /** the device name a token's commands are recorded under */
  readonly device?: string;
  /** a reviewer reads everything and changes nothing */
  readonly reviewer: boolean;
  readonly scope: 'read' | 'write';
  /** the account or token id, for logs (never a secret) */
  readonly id: string;
}

/** the actor recorded for the principal's commands */
export function actorOf(p: Principal): Actor {
  return {
    agency: p.agency,
    ...(p.person !== undefined ? { person: p.person } : {}),
    ...(p.device !== undefined ? { device: p.device } : {}),
  } as Actor;
}

/** the reader the agency boundaries judge (boundaries.ts) */
export function callerOf(p: Principal): Caller {
  return { agency: p.agency, ...(p.person !== undefined ? { person: p.person } : {}), role: p.reviewer ? 'reviewer' : 'member' };
}
