/**
 * Messages on an incident: free text from a person or device of an agency
 * taking part, to agencies and people taking part, recorded as entries.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCommand } from '../../src/domain/commands.ts';
import { incidentView } from '../../src/domain/incident-view.ts';
import { MAX_MESSAGE_LENGTH } from '../../src/domain/values.ts';
import { isConcordError } from '../../src/errors.ts';
import { FED, T0, agent, organisation, sup, watch } from './fixture.ts';
import type { Actor } from '../../src/domain/values.ts';

const console1: Actor = { agency: 'fed-ice', device: 'console-1' };

/** inc-1 (fed-ice) with city-pd taking part through its liaison */
function joint() {
  const h = organisation();
  h.run(watch, { type: 'incident.designate_liaison', incidentId: 'inc-1', personId: 'liaison-city' });
  return h;
}

describe('messages', () => {
  it('are recorded with sender, text and recipients, on the incident, in order', () => {
    const h = joint();
    const events = h.run(sup, {
      type: 'message.send',
      messageId: 'm-1',
      incidentId: 'inc-1',
      text: '  Team at the east gate.\nNeed a path out.  ',
      agencies: ['city-pd'],
    });
    assert.deepEqual(
      events.map((e) => [e.type, e.incident]),
      [['message.sent', 'inc-1']],
    );
    h.advance(30);
    h.run(console1, { type: 'message.send', incidentId: 'inc-1', text: 'copy', people: ['liaison-city', 'liaison-city', 'watch'], agencies: ['fed-ice'] });
    const m1 = h.world.messages['m-1'];
    assert.deepEqual(m1, {
      id: 'm-1',
      incident: 'inc-1',
      from: sup,
      text: 'Team at the east gate.\nNeed a path out.',
      agencies: ['city-pd'],
      people: [],
      sentAt: T0,
      index: h.log.at(-2)!.meta.index,
    });
    const view = incidentView(h.world, 'inc-1');
    assert.deepEqual(
      view.messages.map((m) => [m.from, m.agencies, m.people.map((p) => p.id), m.sentAt]),
      [
        [{ ...sup, name: 'L. Supervisor' }, ['city-pd'], [], T0],
        [console1, ['fed-ice'], ['liaison-city', 'watch'], '2026-06-01T21:00:30.000Z'],
      ],
    );
    assert.equal(view.messages[0]?.id, 'm-1');
    assert.match(view.messages[1]?.id ?? '', /^message-\d+$/, 'an id given when the command names none');
    h.refuse(sup, { type: 'message.send', messageId: 'm-1', incidentId: 'inc-1', text: 'again', agencies: ['city-pd'] }, 'DUPLICATE_ID');
  });

  it('only from an agency taking part, by a person or a device, on an open incident that exists', () => {
    const h = organisation();
    // city-pd has no part in inc-1 yet
    h.refuse(watch, { type: 'message.send', incidentId: 'inc-1', text: 'hello', agencies: ['fed-ice'] }, 'NOT_AUTHORISED', /take part/);
    h.refuse(FED, { type: 'message.send', incidentId: 'inc-1', text: 'hello', agencies: ['fed-ice'] }, 'NOT_AUTHORISED', /device or a person/);
    h.refuse(sup, { type: 'message.send', incidentId: 'inc-9', text: 'hello', agencies: ['fed-ice'] }, 'UNKNOWN_ENTITY');
    h.run(agent, { type: 'message.send', incidentId: 'inc-1', text: 'internal', agencies: ['fed-ice'] });
  });

  it('refuses empty text, no recipient, unknown recipients and recipients not taking part; nothing recorded', () => {
    const h = organisation();
    h.refuse(sup, { type: 'message.send', incidentId: 'inc-1', text: ' \u200b\n ', agencies: ['fed-ice'] }, 'BAD_INPUT', /text/);
    h.refuse(sup, { type: 'message.send', incidentId: 'inc-1', text: 'x' }, 'COMMAND_INCONSISTENT', /recipient/);
    h.refuse(sup, { type: 'message.send', incidentId: 'inc-1', text: 'x', agencies: [], people: [] }, 'COMMAND_INCONSISTENT', /recipient/);
    h.refuse(sup, { type: 'message.send', incidentId: 'inc-1', text: 'x', agencies: ['state-pd'] }, 'UNKNOWN_ENTITY');
    h.refuse(sup, { type: 'message.send', incidentId: 'inc-1', text: 'x', people: ['nobody'] }, 'UNKNOWN_ENTITY');
    // city-pd exists but has no part in inc-1: neither it nor its people can be pulled in by a message
    h.refuse(sup, { type: 'message.send', incidentId: 'inc-1', text: 'x', agencies: ['city-pd'] }, 'COMMAND_INCONSISTENT', /city-pd does not take part/);
    h.refuse(sup, { type: 'message.send', incidentId: 'inc-1', text: 'x', people: ['liaison-fed', 'watch'] }, 'COMMAND_INCONSISTENT', /city-pd/);
    assert.deepEqual(Object.keys(h.world.messages), []);
  });

  it('refuses a closed incident', () => {
    const h = organisation();
    h.run(sup, { type: 'incident.establish_command', incidentId: 'inc-1', structure: { kind: 'single', commander: 'sup' }, reason: 'r' });
    h.run(sup, { type: 'incident.close', incidentId: 'inc-1', reason: 'over' });
    h.refuse(sup, { type: 'message.send', incidentId: 'inc-1', text: 'late', agencies: ['fed-ice'] }, 'INCIDENT_CLOSED');
  });

  it('bounds the text and the recipients at the edge', () => {
    const send = (extra: Record<string, unknown>): unknown =>
      parseCommand({ type: 'message.send', actor: sup, incidentId: 'inc-1', text: 'x', agencies: ['city-pd'], ...extra });
    send({ text: 'x'.repeat(MAX_MESSAGE_LENGTH) });
    for (const [extra, where] of [
      [{ text: 'x'.repeat(MAX_MESSAGE_LENGTH + 1) }, /text/],
      [{ agencies: Array.from({ length: 101 }, (_, i) => `a${i}`) }, /agencies/],
      [{ people: ['bad id'] }, /people\.0/],
      [{ text: 7 }, /text/],
      [{ from: 'city-pd' }, /root|from/],
    ] as const) {
      assert.throws(
        () => send(extra),
        (e: unknown) => isConcordError(e, 'BAD_INPUT') && where.test(e.message),
        JSON.stringify(extra).slice(0, 60),
      );
    }
  });
});
