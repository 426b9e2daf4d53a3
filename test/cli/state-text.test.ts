/**
 * `concord state` as text: the live picture (unit status and last position,
 * coordinates, messages) reads as sentences, beside what it printed before.
 */
import assert from 'node:assert/strict';
import { PassThrough, Writable } from 'node:stream';
import { describe, it } from 'node:test';
import type { CliIo } from '../../src/cli/command.ts';
import { printIncident } from '../../src/cli/state-text.ts';
import { incidentView } from '../../src/domain/incident-view.ts';
import { addSeconds } from '../../src/domain/time.ts';
import { T0, officer1, organisation, sendRequest, sgt1, sup, verdict, watch } from '../domain/fixture.ts';

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer | string, _enc: BufferEncoding, cb: () => void): void {
    this.text += chunk.toString();
    cb();
  }
}

function printed(view: Record<string, unknown>): string[] {
  const stdout = new Capture();
  const io: CliIo = { stdout, stderr: new Capture(), stdin: new PassThrough().end(), cwd: process.cwd() };
  printIncident(io, view);
  return stdout.text.split('\n');
}

describe('state text: the live picture', () => {
  const h = organisation();
  const mdt = { agency: 'city-pd', device: 'mdt-11' };
  h.run(sup, { type: 'incident.update', incidentId: 'inc-1', coordinates: { lat: 41.8743, lon: -87.6606 } });
  h.run(watch, { type: 'incident.designate_liaison', incidentId: 'inc-1', personId: 'liaison-city' });
  sendRequest(h, 'req-1', { location: 'north gate', coordinates: { lat: 41.8747, lon: -87.6611 } });
  h.rule('req-1', verdict('permitted'));
  h.run(watch, { type: 'request.receive', requestId: 'req-1' });
  h.run(watch, { type: 'request.accept', requestId: 'req-1', reason: 'officer in danger' });
  h.run(watch, { type: 'request.commit', requestId: 'req-1', units: ['city-11', 'city-12'] });
  h.advance(30);
  h.run(mdt, { type: 'unit.set_status', unitId: 'city-11', status: 'en_route', observed: addSeconds(T0, 28) });
  h.run(mdt, { type: 'unit.report_positions', positions: [{ unit: 'city-11', lat: 41.88, lon: -87.65, accuracy: 12, observed: addSeconds(T0, 29) }] });
  h.advance(30);
  h.run(officer1, { type: 'unit.set_status', unitId: 'city-11', status: 'on_scene' });
  h.run(sgt1, { type: 'unit.set_status', unitId: 'city-12', status: 'out_of_service', reason: 'flat tyre' });
  h.run(watch, {
    type: 'message.send',
    incidentId: 'inc-1',
    text: '11-Adam at the gate.\n12-Adam is down, sending 22-Boy.',
    agencies: ['fed-ice'],
    people: ['sup'],
  });
  const lines = printed(incidentView(h.world, 'inc-1'));
  const text = lines.join('\n');

  it('gives the incident and the request a point beside their address', () => {
    assert.match(lines[0] ?? '', /^Incident inc-1: Facility protest \(open\) at 1 Federal Plaza \(41\.8743, -87\.6606\), opened/);
    assert.ok(lines.includes('    Where: north gate (41.8747, -87.6611)'), text);
  });

  it('shows each unit status, who set it, and its last position with both times', () => {
    assert.ok(
      lines.includes(
        '    11-Adam (city-pd): on scene since 2026-06-01 21:01:00Z by G. Officer (city-pd); last at 41.88, -87.65 ±12 m, fix 2026-06-01 21:00:29Z, received 2026-06-01 21:00:30Z',
      ),
      text,
    );
  });

  it('shows the withdrawal a status change made, with its authority and reason', () => {
    assert.ok(
      lines.some((l) => l.startsWith('    WITHDRAWN 2026-06-01 21:01:00Z: city-12 by E. Sergeant (city-pd) on the authority of position city-sgt-1')),
      text,
    );
    assert.ok(lines.includes('      reason: flat tyre'), text);
    // the unit left the incident: no status line for it under the incident's units
    assert.ok(!lines.some((l) => l.startsWith('    12-Adam (city-pd):')), text);
  });

  it('lists messages with sender, recipients and the whole text', () => {
    const at = lines.indexOf('  Messages:');
    assert.ok(at > 0, text);
    assert.equal(lines[at + 1], '    2026-06-01 21:01:00Z D. Watch (city-pd) to fed-ice, L. Supervisor (fed-ice): 11-Adam at the gate.');
    assert.equal(lines[at + 2], '      12-Adam is down, sending 22-Boy.');
  });

  it('prints a view without the new fields as before (a view of an older ledger)', () => {
    const { messages: _m, ...older } = incidentView(organisation().world, 'inc-1');
    const out = printed(older);
    assert.match(out[0] ?? '', /^Incident inc-1: Facility protest \(open\) at 1 Federal Plaza, opened/);
    assert.ok(!out.includes('  Messages:'));
  });
});
