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

export const rfc3339Schema = z
  .string()
  .refine((s) => parseRfc3339(s) !== undefined, 'expected an RFC 3339 date-time with offset, e.g. 2026-01-01T00:00:00Z');

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

export const manifestSchema = z.strictObject({
  agency: nameSchema,
  version: nameSchema,
  title: z.string().min(1),
  effective_from: rfc3339Schema,
  effective_until: rfc3339Schema.optional(),
  sources: z.array(sourceDocumentSchema).min(1),
  default: defaultVerdictSchema,
  /** for orders, if they should default differently from requests */
  order_default: defaultVerdictSchema.optional(),
});

export type Manifest = z.output<typeof manifestSchema>;
export type DefaultVerdict = z.output<typeof defaultVerdictSchema>;
export type SourceDocument = z.output<typeof sourceDocumentSchema>;

export interface ParsedManifest {
  readonly manifest: Manifest;
  readonly source: YamlSource;
}

export function parseManifest(path: string, text: string): ParsedManifest {
  const source = parseYamlSource(path, text, 'POLICY_INVALID');
  return { manifest: parseWith(source, manifestSchema, 'POLICY_INVALID'), source };
}
