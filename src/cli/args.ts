/** Reading flag values: every value is checked here, with the flag named in the error. */
import { ConcordError } from '../errors.ts';
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

export function flag(args: ParsedArgs, name: string): boolean {
  return args.values[name] === true;
}

export const DATA_OPTION = { data: { type: 'string' as const, short: 'd' } };
export const JSON_OPTION = { json: { type: 'boolean' as const } };
