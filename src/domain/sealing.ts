/**
 * The sealing policy a node applies when none is configured: what a court
 * or a records law most often protects, sealed at append time so that it
 * can be withheld from a public release later (docs/releases.md). Names of
 * people, personal data given in requests (what happened to whom, where),
 * and the free text of requests, answers, reasons, messages and the
 * notices that quote them. Ids, times,
 * verdicts, authorities and counts stay in the clear: the record's shape,
 * who decided what and when, is never withheld.
 */
import type { SealingPolicy } from '../ledger/sealing.ts';

export const DEFAULT_SEALING_POLICY: SealingPolicy = [
  { type: '*', fields: ['/reason', '/rationale'] },
  { type: 'person.registered', fields: ['/name'] },
  { type: 'request.sent', fields: ['/description', '/location'] },
  { type: 'request.provided', fields: ['/provided'] },
  { type: 'request.partly_provided', fields: ['/provided', '/withheld'] },
  { type: 'message.sent', fields: ['/text'] },
  // generated from the orders it names (their targets): sealed so the notices quoting it can be withheld too
  { type: 'order.conflict_detected', fields: ['/description'] },
  // a notice quotes what it is about (a request's description): sealed with it, or the quote would give it away
  { type: 'notification.created', fields: ['/message'] },
];
