/**
 * The parts of the incident view (GET /v1/incidents/:id, domain/incident-view.ts
 * on the server) that the live picture reads: where things are, who
 * commands, conflicts and messages. Written beside types.ts so the board's
 * first shapes stay as they are; a PictureView is the same answer, read
 * further.
 */
import type { ActorRef, Authority, IncidentView, PersonRef } from './types.ts';

export interface Coordinates {
  readonly lat: number;
  readonly lon: number;
}

export interface UnitPosition extends Coordinates {
  readonly accuracy?: number;
  /** the source's time of the fix */
  readonly observed: string;
  /** the server's receive time of the report that carried it */
  readonly received: string;
}

export interface PictureUnit {
  readonly id: string;
  readonly callsign: string;
  readonly agency: string;
  readonly type?: string;
  readonly since?: string;
  /** the request it serves */
  readonly request?: string;
  readonly status?: { readonly status: string; readonly since: string; readonly reason?: string; readonly by?: ActorRef };
  readonly position?: UnitPosition;
}

export interface Conflict {
  readonly id: string;
  readonly unit: string;
  readonly orders: readonly [string, string];
  readonly description: string;
  readonly detectedAt: string;
  readonly index: number;
  readonly status: 'open' | 'resolved';
  readonly resolution?: { readonly at: string; readonly reason: string; readonly by: ActorRef };
}

export interface Message {
  readonly id: string;
  readonly from: ActorRef;
  readonly text: string;
  readonly agencies: readonly string[];
  readonly people: readonly PersonRef[];
  readonly sentAt: string;
  readonly index: number;
}

export interface IncidentCommand {
  readonly kind: 'single' | 'unified';
  readonly commander?: PersonRef;
  readonly members: readonly PersonRef[];
  readonly since: string;
  readonly by: ActorRef;
  readonly authority: Authority;
  readonly reason: string;
}

export type PictureView = Omit<IncidentView, 'units' | 'incident' | 'requests'> & {
  readonly incident: IncidentView['incident'] & { readonly coordinates?: Coordinates };
  readonly requests: readonly (IncidentView['requests'][number] & { readonly coordinates?: Coordinates })[];
  readonly units: readonly PictureUnit[];
  readonly command: IncidentCommand | null;
  readonly liaisons: readonly PersonRef[];
  readonly conflicts: readonly Conflict[];
  readonly messages: readonly Message[];
};

/** the view as the picture reads it: the same JSON, the fields the first board did not name */
export function asPicture(view: IncidentView): PictureView {
  return view as unknown as PictureView;
}

/** a person or actor as people say it: the name, else the id, with the agency */
export function who(a: { readonly agency: string; readonly name?: string; readonly person?: string; readonly device?: string; readonly id?: string }): string {
  return `${a.name ?? a.person ?? a.device ?? a.id ?? 'someone'} (${a.agency})`;
}
