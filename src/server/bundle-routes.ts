/**
 * An incident's verification bundle over the API (docs/bundle.md): the same
 * bundle `concord export bundle --incident` writes, cut to what the caller
 * may read. A reviewer gets every entry of the incident with every
 * disclosure; a member of an agency gets the entries its agency may read
 * (the same agency boundaries as the feed, src/domain/boundaries.ts), with
 * theirs. Leaving entries out is selection, not tampering, so either
 * verifies offline against the log's key. An incident the caller may not
 * read is answered as if it did not exist.
 */
import { z } from 'zod';
import type { CoordinationService } from '../app/coordination.ts';
import type { LedgerService } from '../app/ledger.ts';
import { requireVisibleIncident } from '../domain/index.ts';
import { idSchema } from '../domain/values.ts';
import { serializeBundle } from '../ledger/bundle.ts';
import { callerOf, type Principal } from './principal.ts';
import { defineRoute, type AnyRoute } from './route.ts';

export interface BundleRouteDeps {
  readonly ledger: LedgerService;
  readonly coordination: CoordinationService;
  /** whether the caller may read entry `index` (its audience, as the feed judges it) */
  readonly mayReadEntry: (principal: Principal, index: number) => Promise<boolean>;
}

export function bundleRoutes(deps: BundleRouteDeps): AnyRoute[] {
  return [
    defineRoute({
      method: 'GET',
      url: '/v1/incidents/:incidentId/bundle',
      tag: 'incident',
      summary: "the incident's verification bundle (docs/bundle.md): the entries the caller may read, with inclusion proofs against the log's checkpoint",
      access: 'read',
      params: z.strictObject({ incidentId: idSchema }),
      response: { status: 200, description: 'a concord-bundle/1 file: RFC 8785 canonical JSON and one newline', contentType: 'application/json' },
      async handler({ params, principal }) {
        const p = principal as Principal;
        requireVisibleIncident(deps.coordination.world, callerOf(p), params.incidentId);
        const checkpoint = await deps.ledger.checkpoint();
        const indexes: number[] = [];
        for await (const e of deps.ledger.store.entries(0, checkpoint.size, { incident: params.incidentId })) {
          if (await deps.mayReadEntry(p, e.index)) indexes.push(e.index);
        }
        // the exact bytes: a bundle is verified as written, so nothing may re-serialise it
        return serializeBundle(await deps.ledger.exportBundle({ indexes }));
      },
    }),
  ];
}
