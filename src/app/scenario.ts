/**
 * Scenario files (docs/scenarios.md): agencies, positions, people and units,
 * the protocols to load, and a timeline of commands with times. Read and
 * validated here, at the edge; every error names the file's line.
 */
import { dirname, resolve } from 'node:path';
import { isMap, isSeq, type Document, type LineCounter, type Node } from 'yaml';
import { z } from 'zod';
import { parseCommand, type Command } from '../domain/index.ts';
import { AGENCY_KINDS } from '../domain/vocabulary.ts';
import { ConcordError } from '../errors.ts';
import { FILE_LIMITS, readUserFile } from '../files.ts';
import { ID_RE, MAX_ID_LENGTH } from '../ledger/entry.ts';
import { parseYamlDocument } from '../yaml-document.ts';

const id = z.string().max(MAX_ID_LENGTH).regex(ID_RE, 'must be an id: letters, digits, ".", "_", ":" or "-"');
const time = z.iso.datetime({ message: 'must be an RFC 3339 UTC time like 2026-06-01T21:03:00Z' });

const positionSchema = z.strictObject({
  id,
  title: z.string().min(1),
  reports_to: id.optional(),
  rank: z.number().int().optional(),
  handles_requests: z.boolean().optional(),
});
const personSchema = z.strictObject({ id, name: z.string().min(1), positions: z.array(id).default([]) });
const unitSchema = z.strictObject({
  id,
  callsign: z.string().min(1),
  type: z.string().min(1),
  supervisor: id.optional(),
  members: z.array(id).default([]),
});
const agencySchema = z.strictObject({
  id,
  name: z.string().min(1),
  kind: z.enum(AGENCY_KINDS),
  jurisdiction: z.string().min(1),
  positions: z.array(positionSchema).default([]),
  people: z.array(personSchema).default([]),
  units: z.array(unitSchema).default([]),
});
const actionSchema = z.strictObject({
  at: time,
  actor: z.strictObject({ agency: id, person: id.optional(), device: id.optional() }),
  do: z.string().min(1),
  with: z.record(z.string(), z.unknown()).default({}),
  /** the action must be refused with this error code (shows a safeguard working); nothing is recorded */
  expect_refused: z.string().optional(),
  note: z.string().optional(),
});
const scenarioSchema = z.strictObject({
  scenario: id,
  title: z.string().min(1),
  description: z.string().optional(),
  start: time,
  /** directory of protocol sets (docs/protocols.md), relative to the scenario file */
  protocols: z.string().optional(),
  agencies: z.array(agencySchema).min(1),
  timeline: z.array(actionSchema).default([]),
});

export type ScenarioFile = z.output<typeof scenarioSchema>;

/**
 * Picks notifications by what they are about, since their ids are made when
 * they are: every notification to the actor's agency about this order or
 * request (or topic, or person) that has not reached the step's status yet.
 */
const notificationSelector = z.strictObject({
  order: id.optional(),
  request: id.optional(),
  topic: z.string().optional(),
  person: id.optional(),
});
export type NotificationSelector = z.output<typeof notificationSelector>;

/** one step of a replay: a command at a time, from a line of the file */
export interface ScenarioStep {
  readonly at: string;
  readonly line: number;
  readonly command: Command;
  /** for notification.deliver / acknowledge: run the command once per matching notification */
  readonly select?: NotificationSelector;
  readonly expectRefused?: string;
  readonly note?: string;
}

export interface Scenario {
  readonly file: string;
  readonly name: string;
  readonly title: string;
  readonly protocolsDir?: string;
  readonly steps: readonly ScenarioStep[];
}

function lineOf(doc: Document, lines: LineCounter, path: ReadonlyArray<string | number>): number {
  // the deepest node that exists along the path
  for (let n = path.length; n >= 0; n--) {
    const node = doc.getIn(path.slice(0, n), true) as Node | undefined;
    const range = (node as { range?: [number, number, number] } | undefined)?.range;
    if (range) return lines.linePos(range[0]).line;
  }
  return 1;
}

function fail(file: string, line: number, message: string): never {
  throw new ConcordError('BAD_INPUT', `${file}:${line}: ${message}`);
}

/** Reads and validates a scenario file; compiles its setup and timeline into commands. */
export function readScenario(path: string): Scenario {
  const text = readUserFile(path, 'scenario', FILE_LIMITS.scenario);
  // syntax errors, duplicate keys and alias bombs are refused here, with their line
  const { doc, lineCounter: lines, value } = parseYamlDocument(path, text, 'BAD_INPUT');
  if (!isMap(doc.contents)) fail(path, 1, 'a scenario is a YAML mapping with scenario, title, start, agencies and timeline');
  const parsed = scenarioSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path ?? [];
    // an unknown key is reported on the object; point at the key's own line
    const key = issue?.code === 'unrecognized_keys' ? issue.keys.slice(0, 1) : [];
    fail(path, lineOf(doc, lines, [...where, ...key] as Array<string | number>), `${where.join('.') || '(top)'}: ${issue?.message ?? 'invalid'}`);
  }
  const s = parsed.data;
  const steps: ScenarioStep[] = [];
  const at = (p: Array<string | number>): number => lineOf(doc, lines, p);
  const add = (
    time: string,
    line: number,
    input: unknown,
    extra: { expectRefused?: string; note?: string; select?: NotificationSelector } = {},
    fieldLine?: (field: ReadonlyArray<string | number>) => number,
  ): void => {
    let command: Command;
    try {
      command = parseCommand(input);
    } catch (e) {
      const issue = (e as ConcordError).details?.['issues'] as Array<{ path: string[] }> | undefined;
      fail(path, fieldLine && issue?.[0] ? fieldLine(issue[0].path) : line, (e as Error).message);
    }
    // times are kept in one form (toISOString), so the runner may compare them as strings
    steps.push({ at: new Date(Date.parse(time)).toISOString(), line, command, ...extra });
  };

  // setup, at the start time: each agency registers its own organisation
  s.agencies.forEach((a, ai) => {
    const actor = { agency: a.id };
    add(s.start, at(['agencies', ai]), { type: 'agency.register', actor, agencyId: a.id, name: a.name, kind: a.kind, jurisdiction: a.jurisdiction });
    a.positions.forEach((p, pi) =>
      add(s.start, at(['agencies', ai, 'positions', pi]), {
        type: 'position.establish',
        actor,
        positionId: p.id,
        title: p.title,
        ...(p.reports_to !== undefined ? { reportsTo: p.reports_to } : {}),
        ...(p.rank !== undefined ? { rank: p.rank } : {}),
        ...(p.handles_requests !== undefined ? { handlesRequests: p.handles_requests } : {}),
      }),
    );
    a.people.forEach((p, pi) => {
      const line = at(['agencies', ai, 'people', pi]);
      add(s.start, line, { type: 'person.register', actor, personId: p.id, name: p.name });
      for (const position of p.positions) add(s.start, line, { type: 'person.appoint', actor, personId: p.id, positionId: position, from: s.start });
    });
    a.units.forEach((u, ui) =>
      add(s.start, at(['agencies', ai, 'units', ui]), {
        type: 'unit.register',
        actor,
        unitId: u.id,
        unitType: u.type,
        callsign: u.callsign,
        members: u.members,
        ...(u.supervisor !== undefined ? { supervisor: u.supervisor } : {}),
      }),
    );
  });

  let previous = s.start;
  s.timeline.forEach((step, i) => {
    const line = at(['timeline', i]);
    // as instants: "…:00.5Z" is after "…:00Z" although it sorts before it as a string
    if (Date.parse(step.at) < Date.parse(previous)) {
      fail(path, at(['timeline', i, 'at']), `timeline.${i}.at: ${step.at} is earlier than the step before it (${previous}); a timeline runs forward`);
    }
    previous = step.at;
    let fields = step.with;
    let select: NotificationSelector | undefined;
    if ((step.do === 'notification.deliver' || step.do === 'notification.acknowledge') && 'notifications' in fields) {
      const { notifications, ...rest } = fields;
      const parsedSelector = notificationSelector.safeParse(notifications);
      if (!parsedSelector.success) {
        const issue = parsedSelector.error.issues[0];
        fail(
          path,
          lineOf(doc, lines, ['timeline', i, 'with', 'notifications', ...((issue?.path ?? []) as Array<string | number>)]),
          `notifications: ${issue?.message ?? 'invalid'}`,
        );
      }
      select = parsedSelector.data;
      // the id is filled in per match when the step runs
      fields = { ...rest, notificationId: 'selected-at-run-time' };
    }
    // a command's field is written under the step's `with`, except its type (`do`) and actor
    const fieldLine = (field: ReadonlyArray<string | number>): number =>
      at(field[0] === 'type' ? ['timeline', i, 'do'] : field[0] === 'actor' ? ['timeline', i, ...field] : ['timeline', i, 'with', ...field]);
    add(
      step.at,
      line,
      { ...fields, type: step.do, actor: step.actor },
      {
        ...(step.expect_refused !== undefined ? { expectRefused: step.expect_refused } : {}),
        ...(step.note !== undefined ? { note: step.note } : {}),
        ...(select !== undefined ? { select } : {}),
      },
      fieldLine,
    );
  });
  if (!isSeq(doc.get('agencies', true))) fail(path, 1, 'agencies must be a list');
  return {
    file: path,
    name: s.scenario,
    title: s.title,
    ...(s.protocols !== undefined ? { protocolsDir: resolve(dirname(path), s.protocols) } : {}),
    steps,
  };
}
