/**
 * The facts the agencies' protocols decide on, and the port through which the
 * domain asks them. The domain says which facts a request or an order
 * presents and whose protocols must be asked; src/policy answers (Cedar),
 * passed in by the app through DecideContext like the clock. So the domain
 * stays pure, and no path that creates a request decision or an order can
 * skip the protocols: they are asked inside decide, not beside it.
 */
import type { Verdict } from './verdict.ts';
import type { AgencyKind, AuthorityKind, Directive, InformationKind, OperationKind, RequestCategory, RequestKind, Urgency, WarrantKind } from './vocabulary.ts';

export interface AgencyRef {
  readonly id: string;
  readonly kind: AgencyKind;
}

/** the legal basis of a request, as the protocols read it */
export interface LegalBasisFacts {
  readonly statute?: string;
  readonly warrant?: { readonly kind: WarrantKind; readonly reference: string };
  readonly courtOrder?: { readonly reference: string };
  /** the person concerned consented */
  readonly consent: boolean;
}

/** An assistance request, as the receiving agency's protocols see it. */
export interface RequestFacts {
  readonly requestId: string;
  /** the requesting agency (Cedar principal) */
  readonly from: AgencyRef;
  /** the receiving agency, whose protocols decide (Cedar resource) */
  readonly to: AgencyRef;
  readonly kind: RequestKind;
  readonly category: RequestCategory;
  readonly urgency: Urgency;
  /** the operation the requesting agency is conducting */
  readonly operation: OperationKind;
  /** the requester reports an officer in immediate danger */
  readonly officerInDanger: boolean;
  readonly description: string;
  /** units asked for; 0 for a request that is not for units */
  readonly requestedUnits: number;
  /** for an information request: what it asks for */
  readonly informationKind?: InformationKind;
  /** the request asks for personal data */
  readonly personalData: boolean;
  readonly legalBasis: LegalBasisFacts;
}

/** the authority an order rests on, as the protocols read it */
export interface AuthorityFacts {
  readonly kind: Exclude<AuthorityKind, 'agency_administration' | 'response_deadline'>;
  /** the agency the authority belongs to (a position's agency, a unified command seat's agency) */
  readonly agency: AgencyRef;
  /** the position, for a position or a delegation of one */
  readonly position?: string;
}

/** An order, as each deciding agency's protocols see it. */
export interface OrderFacts {
  readonly orderId: string;
  readonly issuer: { readonly agency: AgencyRef; readonly authority: AuthorityFacts };
  readonly directive: Directive;
  /** what the order directs the units to do, in request-category words, when the issuer states it */
  readonly task?: RequestCategory;
  /** the operation the order serves: stated by the issuer, else that of the request the units serve, else unknown */
  readonly operation: OperationKind;
  readonly units: readonly { readonly id: string; readonly home: AgencyRef }[];
  readonly people: readonly { readonly id: string; readonly agency: AgencyRef }[];
  /** the request the target units serve, if any */
  readonly relatedRequest?: {
    readonly requestId: string;
    /** the agency that asked for the units */
    readonly from: AgencyRef;
    readonly category: RequestCategory;
    readonly operation: OperationKind;
  };
}

/**
 * The agencies' protocols, as the domain asks them. Each answer is the
 * verdict of the version in effect at `at`, or undefined when the agency has
 * no protocol in effect then (no verdict is ever made up in its place).
 */
export interface Protocols {
  /** the receiving agency's protocols on a request */
  request(facts: RequestFacts, at: string): Verdict | undefined;
  /** `deciding`'s protocols on an order */
  order(facts: OrderFacts, deciding: AgencyRef, at: string): Verdict | undefined;
}
