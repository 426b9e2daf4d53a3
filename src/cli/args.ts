/** Reading flag values: every value is checked here, with the flag named in the error. */
import { ConcordError } from '../errors.ts';
import { rfc3339Problem } from '../ledger/time.ts';
import type { ParsedArgs } from './command.ts';

export function requireString(args: ParsedArgs, name: string): string {
  const v = args.values[name];
  if (typeof v !== 'string' || v.length === 0) throw new ConcordError('BAD_USAGE', `--${name} is required`);
  return v;
}

export function optionalString(args: ParsedArgs, name: string): string | undefined {
  const v = args.values[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v.length === 0) throw new ConcordError('BAD_USAGE', `--${name} needs a value`);
  return v;
}

export function stringList(args: ParsedArgs, name: string): string[] {
  const v = args.values[name];
  if (v === undefined) return [];
  return (Array.isArray(v) ? v : [v]).map(String);
}

export function parseIndex(text: string, name: string): number {
  if (!/^(0|[1-9]\d*)$/.test(text) || !Number.isSafeInteger(Number(text))) {
    throw new ConcordError('BAD_USAGE', `--${name} must be a non-negative integer (got "${text}")`);
  }
  return Number(text);
}

export function optionalIndex(args: ParsedArgs, name: string): number | undefined {
  const v = optionalString(args, name);
  return v === undefined ? undefined : parseIndex(v, name);
}

/** an RFC 3339 date-time naming an instant (a day and a time that exist; no leap second), or undefined when the flag is absent */
export function optionalTime(args: ParsedArgs, name: string): string | undefined {
  const v = optionalString(args, name);
  if (v === undefined) return undefined;
  const problem = rfc3339Problem(v);
  if (problem !== undefined) throw new ConcordError('BAD_USAGE', `--${name} must be an RFC 3339 time like 2026-06-01T21:30:00Z: "${v}" ${problem}`);
  return v;
}

export function flag(args: ParsedArgs, name: string): boolean {
  return args.values[name] === true;
}

export const DATA_OPTION = { data: { type: 'string' as const, short: 'd' } };
export const JSON_OPTION = { json: { type: 'boolean' as const } };
