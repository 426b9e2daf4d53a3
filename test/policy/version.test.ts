/** Preparing a protocol version from its texts: the manifest, the policies, their annotations and roles. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { loadProtocolBook } from '../../src/app/protocol-files.ts';
import { isConcordError, type ErrorCode } from '../../src/errors.ts';
import { prepareProtocolBook, prepareProtocolVersion } from '../../src/policy/index.ts';
import { BILLION_LAUGHS } from '../helpers/yaml.ts';
import { manifestText, PERMIT_ALL_DANGER, POLICIES_DIR, versionSource } from './fixtures.ts';

function fails(code: ErrorCode, message: RegExp): (e: unknown) => boolean {
  return (e) => {
    assert.ok(isConcordError(e, code), `expected ${code}, got ${String(e)}`);
    assert.match(e.message, message);
    return true;
  };
}

test('the demo protocols load', async () => {
  const book = await loadProtocolBook(POLICIES_DIR);
  assert.deepEqual([...book.agencies.keys()], ['city-pd', 'fed-ice']);
  const cityPd = book.agencies.get('city-pd') ?? [];
  assert.deepEqual(
    cityPd.map((v) => v.id),
    ['city-pd/2025-01-01', 'city-pd/2026-01-01'],
  );
  for (const v of cityPd) {
    assert.deepEqual(v.warnings, []);
    assert.match(v.digest, /^[0-9a-f]{64}$/);
    assert.ok(v.policies.every((p) => p.clause.cite.length > 0));
  }
  const first = cityPd[1]?.policies[0];
  assert.equal(first?.file, join(POLICIES_DIR, 'city-pd', '2026-01-01', 'general-order-7-03.cedar'));
  assert.equal(first?.line, 3);
  assert.equal(first?.clause.id, 'GO-7.03-II.A');
});

test('manifest: a missing field names the file and line', () => {
  const manifest = manifestText().replace(/^title: .*\n/m, '');
  assert.throws(() => prepareProtocolVersion(versionSource({ manifest })), fails('POLICY_INVALID', /^test-pd\/2026-01-01\/protocol.yaml:1: title: /));
});

test('manifest: a bad date names the field and its line', () => {
  const manifest = manifestText({ from: '2026-01-01' });
  assert.throws(
    () => prepareProtocolVersion(versionSource({ manifest })),
    fails('POLICY_INVALID', /protocol.yaml:4: effective_from: expected an RFC 3339 date-time/),
  );
});

test('manifest: an unknown key is refused', () => {
  const manifest = manifestText() + 'effective_form: "2026-01-01T00:00:00Z"\n';
  assert.throws(() => prepareProtocolVersion(versionSource({ manifest })), fails('POLICY_INVALID', /protocol.yaml:\d+: .*effective_form/));
});

test('manifest: a default of needs_approval must name the role', () => {
  const manifest = manifestText({ defaultBlock: 'default:\n  decision: needs_approval' });
  assert.throws(() => prepareProtocolVersion(versionSource({ manifest })), fails('POLICY_INVALID', /protocol.yaml:\d+: default/));
});

test('manifest: "permitted" is not a default', () => {
  const manifest = manifestText({ defaultBlock: 'default:\n  decision: permitted' });
  assert.throws(() => prepareProtocolVersion(versionSource({ manifest })), fails('POLICY_INVALID', /protocol.yaml:\d+: default/));
});

test('manifest: YAML syntax errors, duplicate keys and alias bombs carry the line', () => {
  const unclosed = manifestText() + 'order_default: [unclosed\n';
  const lines = unclosed.split('\n').length;
  assert.throws(
    () => prepareProtocolVersion(versionSource({ manifest: unclosed })),
    fails('POLICY_INVALID', new RegExp(`protocol.yaml:${lines}: not valid YAML: `)),
  );
  const twice = manifestText() + 'title: Again\n';
  assert.throws(
    () => prepareProtocolVersion(versionSource({ manifest: twice })),
    fails('POLICY_INVALID', new RegExp(`protocol.yaml:${twice.split('\n').length - 1}: not valid YAML: map keys must be unique \\("title" appears twice\\)`)),
  );
  const bomb = `${BILLION_LAUGHS}${manifestText()}`;
  assert.throws(() => prepareProtocolVersion(versionSource({ manifest: bomb })), fails('POLICY_INVALID', /protocol.yaml:\d+: refused: aliases here expand/));
});

test('manifest: roles are required, and may be empty', () => {
  const none = manifestText({ rolesBlock: '', defaultBlock: 'default:\n  decision: prohibited' });
  assert.throws(() => prepareProtocolVersion(versionSource({ manifest: none, policies: {} })), fails('POLICY_INVALID', /protocol.yaml:1: roles: required/));
  const empty = manifestText({ rolesBlock: 'roles: []', defaultBlock: 'default:\n  decision: prohibited' });
  assert.deepEqual(prepareProtocolVersion(versionSource({ manifest: empty })).roles, []);
  const v = prepareProtocolVersion(versionSource());
  assert.deepEqual(v.roles[0], { id: 'test-pd.duty-officer', title: 'Test duty-officer' });
  const untitled = manifestText({ rolesBlock: 'roles:\n  - id: test-pd.duty-officer' });
  assert.throws(() => prepareProtocolVersion(versionSource({ manifest: untitled })), fails('POLICY_INVALID', /protocol.yaml:\d+: roles\[0\].title: required/));
});

test('manifest: a role declared twice is refused at the second', () => {
  const rolesBlock = 'roles:\n  - { id: test-pd.duty-officer, title: Duty officer }\n  - { id: test-pd.duty-officer, title: Duty officer again }';
  const manifest = manifestText({ rolesBlock });
  const line = manifest.split('\n').findIndex((l) => l.includes('again')) + 1;
  assert.throws(
    () => prepareProtocolVersion(versionSource({ manifest })),
    fails('POLICY_INVALID', new RegExp(`protocol.yaml:${line}: roles\\[1\\].id: role "test-pd.duty-officer" is declared twice`)),
  );
});

test('manifest: a default or order_default approval_role must be a declared role', () => {
  const rolesBlock = 'roles:\n  - { id: test-pd.sergeant, title: Sergeant }\n  - { id: test-pd.chief, title: Chief }';
  const manifest = manifestText({ rolesBlock });
  const line = manifest.split('\n').findIndex((l) => l.includes('approval_role')) + 1;
  assert.throws(
    () => prepareProtocolVersion(versionSource({ manifest })),
    fails(
      'POLICY_INVALID',
      new RegExp(
        `^test-pd/2026-01-01/protocol.yaml:${line}: default.approval_role: "test-pd.duty-officer" is not one of the roles the manifest declares \\(declared: test-pd.sergeant, test-pd.chief\\)$`,
      ),
    ),
  );
  const orders = manifestText({
    defaultBlock: 'default:\n  decision: prohibited\norder_default:\n  decision: needs_approval\n  approval_role: test-pd.captain',
  });
  assert.throws(
    () => prepareProtocolVersion(versionSource({ manifest: orders })),
    fails('POLICY_INVALID', /protocol.yaml:\d+: order_default.approval_role: "test-pd.captain" is not one of the roles/),
  );
  const noRoles = manifestText({ rolesBlock: 'roles: []' });
  assert.throws(() => prepareProtocolVersion(versionSource({ manifest: noRoles })), fails('POLICY_INVALID', /\(declared: none\)/));
});

test("@approval must name a declared role, at the policy's line", () => {
  const text = `${PERMIT_ALL_DANGER}\n@id("TC-2") @cite("x")\n@approval("test-pd.captain")\npermit (principal, action, resource);\n`;
  assert.throws(
    () => prepareProtocolVersion(versionSource({ policies: { 'rules.cedar': text } })),
    fails(
      'POLICY_INVALID',
      /^test-pd\/2026-01-01\/rules.cedar:7: policy TC-2: @approval\("test-pd.captain"\) names a role the manifest's roles do not declare \(declared: test-pd.duty-officer, test-pd.sergeant, test-pd.lieutenant, test-pd.chief\)$/,
    ),
  );
  const declared = text.replace('test-pd.captain', 'test-pd.lieutenant');
  assert.equal(prepareProtocolVersion(versionSource({ policies: { 'rules.cedar': declared } })).policies[1]?.approval, 'test-pd.lieutenant');
});

test('manifest: agency and version must match their directories', () => {
  assert.throws(
    () => prepareProtocolVersion({ ...versionSource(), agency: 'other-pd' }),
    fails('POLICY_INVALID', /protocol.yaml:1: agency "test-pd" does not match its directory "other-pd"/),
  );
  assert.throws(
    () => prepareProtocolVersion({ ...versionSource(), version: '2027-01-01' }),
    fails('POLICY_INVALID', /protocol.yaml:2: version "2026-01-01" does not match/),
  );
});

test('manifest: effective_until must come after effective_from', () => {
  const src = versionSource({ until: '2025-06-01T00:00:00Z' });
  assert.throws(() => prepareProtocolVersion(src), fails('POLICY_INVALID', /protocol.yaml:5: effective_until must be after/));
});

test('a policy without @id is refused at its line', () => {
  const text = `${PERMIT_ALL_DANGER}\n// second\n@cite("Test Code § 2")\npermit (principal, action, resource);\n`;
  assert.throws(
    () => prepareProtocolVersion(versionSource({ policies: { 'rules.cedar': text } })),
    fails('POLICY_INVALID', /^test-pd\/2026-01-01\/rules.cedar:8: policy has no @id/),
  );
});

test('a policy without @cite is refused', () => {
  const text = '\n@id("TC-9") permit (principal, action, resource);';
  assert.throws(
    () => prepareProtocolVersion(versionSource({ policies: { 'rules.cedar': text } })),
    fails('POLICY_INVALID', /rules.cedar:2: policy TC-9 has no @cite/),
  );
});

test('unknown annotations and @approval on a forbid are refused', () => {
  const typo = '@id("A") @cite("x") @aproval("test-pd.chief") permit (principal, action, resource);';
  assert.throws(
    () => prepareProtocolVersion(versionSource({ policies: { 'a.cedar': typo } })),
    fails('POLICY_INVALID', /a.cedar:1: unknown annotation @aproval/),
  );
  const forbid = '@id("A") @cite("x") @approval("test-pd.chief") forbid (principal, action, resource);';
  assert.throws(() => prepareProtocolVersion(versionSource({ policies: { 'a.cedar': forbid } })), fails('POLICY_INVALID', /@approval only applies to permit/));
});

test('a Cedar syntax error is reported with file and line (after multi-byte text)', () => {
  const text = [
    '@id("TC-1")',
    '@cite("Test Code § 1 — «quoted»")',
    'permit (principal, action == Action::"request_assistance", resource)',
    'when { context.category == };',
  ].join('\n');
  assert.throws(
    () => prepareProtocolVersion(versionSource({ policies: { 'rules.cedar': text } })),
    fails('POLICY_INVALID', /^test-pd\/2026-01-01\/rules.cedar:4: unexpected token `}`/),
  );
});

test('a misspelt attribute fails schema validation at its line', () => {
  const text = `${PERMIT_ALL_DANGER}\n@id("TC-2")\n@cite("x")\npermit (principal, action == Action::"request_assistance", resource)\nwhen {\n  context.categroy == "perimeter"\n};\n`;
  assert.throws(
    () => prepareProtocolVersion(versionSource({ policies: { 'rules.cedar': text } })),
    fails('POLICY_INVALID', /rules.cedar:11: policy TC-2: .*categroy.*did you mean `category`/),
  );
});

test('a misspelt vocabulary word is refused at its line', () => {
  const text =
    '@id("TC-3")\n@cite("x")\nforbid (principal, action == Action::"request_assistance", resource)\nwhen {\n  ["perimeter",\n   "trafic_control"].contains(context.category)\n};';
  assert.throws(
    () => prepareProtocolVersion(versionSource({ policies: { 'rules.cedar': text } })),
    fails('POLICY_INVALID', /rules.cedar:6: policy TC-3: "trafic_control" is not a known request category/),
  );
  const kind = '@id("TC-4") @cite("x") permit (principal, action, resource) when { principal.kind == "federall" };';
  assert.throws(
    () => prepareProtocolVersion(versionSource({ policies: { 'k.cedar': kind } })),
    fails('POLICY_INVALID', /"federall" is not a known agency kind/),
  );
});

test('a policy for an attribute its action lacks fails validation', () => {
  const text = '@id("TC-5") @cite("x") permit (principal, action, resource) when { context.requested_units > 3 };';
  assert.throws(
    () => prepareProtocolVersion(versionSource({ policies: { 'rules.cedar': text } })),
    fails('POLICY_INVALID', /rules.cedar:1: .*requested_units/),
  );
});

test('templates are refused', () => {
  const text = '@id("T") @cite("x") permit (principal == ?principal, action, resource);';
  assert.throws(() => prepareProtocolVersion(versionSource({ policies: { 'rules.cedar': text } })), fails('POLICY_INVALID', /rules.cedar:1: .*template/));
});

test('a version may have no policies: everything gets the default', () => {
  const v = prepareProtocolVersion(versionSource({ policies: {} }));
  assert.equal(v.policies.length, 0);
});

test('overlapping versions are refused', () => {
  const a = versionSource({ version: '2025-01-01', from: '2025-01-01T00:00:00Z', until: '2026-02-01T00:00:00Z' });
  const b = versionSource({ version: '2026-01-01', from: '2026-01-01T00:00:00Z' });
  assert.throws(
    () => prepareProtocolBook([b, a]),
    fails('POLICY_INVALID', /^test-pd\/2025-01-01\/protocol.yaml:5: test-pd\/2025-01-01 overlaps test-pd\/2026-01-01/),
  );
  const c = versionSource({ version: 'second', from: '2026-01-01T00:00:00Z' });
  assert.throws(() => prepareProtocolBook([b, c]), fails('POLICY_INVALID', /protocol.yaml:4: .* both take effect at/));
});

test('an open-ended version followed by a newer one does not overlap', () => {
  const a = versionSource({ version: '2025-01-01', from: '2025-01-01T00:00:00Z' });
  const b = versionSource({ version: '2026-01-01', from: '2026-01-01T00:00:00Z' });
  const book = prepareProtocolBook([b, a]);
  assert.deepEqual(
    book.agencies.get('test-pd')?.map((v) => v.version),
    ['2025-01-01', '2026-01-01'],
  );
});

test('the digest identifies the content, not the location', () => {
  const a = prepareProtocolVersion(versionSource());
  const moved = versionSource();
  const b = prepareProtocolVersion({
    ...moved,
    manifest: { ...moved.manifest, path: `/elsewhere/${moved.manifest.path}` },
    policies: moved.policies.map((p) => ({ ...p, path: `/elsewhere/${p.path}` })),
  });
  assert.equal(a.digest, b.digest);
  const changed = prepareProtocolVersion(versionSource({ policies: { 'rules.cedar': `${PERMIT_ALL_DANGER}\n` } }));
  assert.notEqual(a.digest, changed.digest);
});
