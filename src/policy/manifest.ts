/**
 * `protocol.yaml`: the manifest of one version of one agency's protocol set.
 * See docs/protocols.md for the format.
 */
import { z } from 'zod';
import { parseRfc3339 } from './time.ts';
import { parseWith, parseYamlSource, type YamlSource } from './yaml-source.ts';

/** agency ids, versions and position ids: no spaces or slashes (they become directory names) */
export const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export const nameSchema = z.string().regex(NAME_PATTERN, 'expected letters, digits, ".", "_" or "-"');

export const rfc3339Schema = z.string().refine((s) => parseRfc3339(s) !== undefined, 'expected an RFC 3339 date-time with offset, e.g. 2026-01-01T00:00:00Z');

const noteSchema = z.string().min(1).optional();

/** what the verdict is when no policy matched; "permitted" is deliberately not offered */
export const defaultVerdictSchema = z.discriminatedUnion('decision', [
  z.strictObject({ decision: z.literal('prohibited'), note: noteSchema }),
  z.strictObject({ decision: z.literal('needs_approval'), approval_role: nameSchema, note: noteSchema }),
]);

export const sourceDocumentSchema = z.strictObject({
  id: z.string().min(1),
  title: z.string().min(1),
  url: z.url().optional(),
});

/** a position of the agency that its protocols may name as approver */
export const roleSchema = z.strictObject({
  id: nameSchema,
  title: z.string().min(1),
});

export const manifestSchema = z
  .strictObject({
    agency: nameSchema,
    version: nameSchema,
    title: z.string().min(1),
    effective_from: rfc3339Schema,
    effective_until: rfc3339Schema.optional(),
    sources: z.array(sourceDocumentSchema).min(1),
    /**
     * Required, even when empty: an approver is a position someone must
     * hold, so a misspelt `@approval` or `approval_role` would send every
     * such request to a role nobody has.
     */
    roles: z.array(roleSchema),
    default: defaultVerdictSchema,
    /** for orders, if they should default differently from requests */
    order_default: defaultVerdictSchema.optional(),
  })
  .superRefine((m, ctx) => {
    const declared = new Set<string>();
    m.roles.forEach((role, i) => {
      if (declared.has(role.id)) ctx.addIssue({ code: 'custom', path: ['roles', i, 'id'], message: `role "${role.id}" is declared twice` });
      declared.add(role.id);
    });
    for (const field of ['default', 'order_default'] as const) {
      const verdict = m[field];
      if (verdict?.decision === 'needs_approval' && !declared.has(verdict.approval_role)) {
        ctx.addIssue({
          code: 'custom',
          path: [field, 'approval_role'],
          message: `"${verdict.approval_role}" is not one of the roles the manifest declares (${declaredRoles(m.roles)})`,
        });
      }
    }
  });

export type Manifest = z.output<typeof manifestSchema>;
export type DefaultVerdict = z.output<typeof defaultVerdictSchema>;
export type SourceDocument = z.output<typeof sourceDocumentSchema>;
export type ProtocolRole = z.output<typeof roleSchema>;

/** "declared: a, b" or "declared: none", for messages */
export function declaredRoles(roles: readonly ProtocolRole[]): string {
  return `declared: ${roles.length === 0 ? 'none' : roles.map((r) => r.id).join(', ')}`;
}

export interface ParsedManifest {
  readonly manifest: Manifest;
  readonly source: YamlSource;
}

export function parseManifest(path: string, text: string): ParsedManifest {
  const source = parseYamlSource(path, text, 'POLICY_INVALID');
  return { manifest: parseWith(source, manifestSchema, 'POLICY_INVALID'), source };
}
