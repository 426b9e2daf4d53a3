import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { ApiProblem, postJson } from '../../shared/api.ts';
import { FieldError } from '../../shared/FieldError.tsx';
import { PREVIEW_REASON, usePreview } from '../../shared/preview.ts';
import { useCommandSchema } from '../../shared/schemas.ts';
import { authorityChoices, commandsUnit, directsIncident, mayAct } from '../../shared/standing.ts';
import type { Authority, IncidentView, Session } from '../../shared/types.ts';
import { useUnitChoices } from './useUnitChoices.ts';
import { describeAuthority } from './authority.ts';
import { PreviewNotice } from './PreviewNotice.tsx';
import { FormOutcome } from './FormOutcome.tsx';

const words = (s: string) => s.replaceAll('_', ' ');
const authorityKey = (a: Authority) => JSON.stringify(a);

/**
 * Issue an order on the incident: a directive (the values the server's
 * schema lists), the units it goes to (those the person commands through
 * their agency's chain, or every unit on the incident for those with
 * operational direction on it), the authority it rests on (one the person
 * holds) and the rationale, without which it is not sent. The verdicts of
 * every agency concerned show before it is sent.
 */
export function NewOrderForm({ view, session }: { readonly view: IncidentView; readonly session: Session }) {
  // who the units are, not their status: a status change (many a second) does not draw the form again
  const units = useUnitChoices();
  const client = useQueryClient();
  const schema = useCommandSchema('/v1/orders');
  const directives = schema?.values('directive') ?? [];
  const authorities = authorityChoices(session);
  const directs = directsIncident(session, view.incident.id);
  const onIncident = new Set(view.units.map((u) => u.id));
  const choices = units.filter((u) => (directs && onIncident.has(u.id)) || (commandsUnit(session, u.id) && onIncident.has(u.id)));
  const [directive, setDirective] = useState('');
  const [authority, setAuthority] = useState('');
  const [chosen, setChosen] = useState<readonly string[]>([]);
  const [target, setTarget] = useState('');
  const [rationale, setRationale] = useState('');
  const [local, setLocal] = useState<Record<string, string>>({});
  const d = directive || (directives[0] ?? '');
  const a = authority || (authorities[0] !== undefined ? authorityKey(authorities[0]) : '');
  const body = (reason: string): Record<string, unknown> => ({
    incidentId: view.incident.id,
    directive: d,
    units: chosen,
    rationale: reason,
    ...(target.trim() !== '' ? { target: target.trim() } : {}),
    ...(a !== '' ? { authority: JSON.parse(a) as Authority } : {}),
  });
  const send = useMutation({
    mutationFn: (b: Record<string, unknown>) => postJson<unknown>('/v1/orders', b),
    onSuccess: () => {
      setRationale('');
      setTarget('');
      setChosen([]);
    },
    onSettled: () => client.invalidateQueries({ queryKey: ['incident'] }),
  });
  const preview = usePreview('/v1/orders', body(PREVIEW_REASON), mayAct(session) && chosen.length > 0 && d !== '');
  if (!mayAct(session) || authorities.length === 0 || choices.length === 0) return null;

  const problem = send.error instanceof ApiProblem ? send.error : undefined;
  const FIELDS = ['directive', 'units', 'rationale', 'authority', 'target'];
  const err = (f: string) =>
    local[f] ?? (problem?.field !== undefined && (problem.field === f || problem.field.startsWith(`${f}[`)) ? problem.message : undefined);
  const formError =
    send.error !== null && (problem?.field === undefined || !FIELDS.some((f) => problem.field === f || problem.field?.startsWith(`${f}[`)))
      ? send.error.message
      : undefined;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const l: Record<string, string> = {};
    if (chosen.length === 0) l['units'] = 'Choose the units the order goes to.';
    if (rationale.trim() === '') l['rationale'] = 'A rationale is required: say why, for the record and for the units and agencies told.';
    setLocal(l);
    if (Object.keys(l).length > 0) return;
    send.reset();
    send.mutate(body(rationale.trim()));
  };
  return (
    <section aria-labelledby="new-order-title" className="panel">
      <h2 id="new-order-title">Issue an order</h2>
      <form onSubmit={submit} noValidate className="grid-form">
        <div className="field">
          <label htmlFor="new-order-directive">Directive</label>
          <select id="new-order-directive" value={d} onChange={(e) => setDirective(e.target.value)} aria-describedby="new-order-directive-error">
            {directives.map((x) => (
              <option key={x} value={x}>
                {words(x)}
              </option>
            ))}
          </select>
          <FieldError id="new-order-directive-error" message={err('directive')} />
        </div>
        <div className="field">
          <label htmlFor="new-order-authority">On the authority of</label>
          <select id="new-order-authority" value={a} onChange={(e) => setAuthority(e.target.value)} aria-describedby="new-order-authority-error">
            {authorities.map((x) => (
              <option key={authorityKey(x)} value={authorityKey(x)}>
                {describeAuthority(x)}
              </option>
            ))}
          </select>
          <FieldError id="new-order-authority-error" message={err('authority')} />
        </div>
        <fieldset className="wide" aria-describedby="new-order-units-error" aria-invalid={err('units') !== undefined}>
          <legend>To units</legend>
          {choices.map((u) => (
            <label key={u.id} className="check">
              <input
                type="checkbox"
                name="units"
                value={u.id}
                checked={chosen.includes(u.id)}
                onChange={(e) => setChosen(e.target.checked ? [...chosen, u.id] : chosen.filter((x) => x !== u.id))}
              />{' '}
              {u.callsign} <span className="muted">({u.agency})</span>
            </label>
          ))}
          <FieldError id="new-order-units-error" message={err('units')} />
        </fieldset>
        <div className="field wide">
          <label htmlFor="new-order-target">Where or what (optional)</label>
          <input id="new-order-target" value={target} onChange={(e) => setTarget(e.target.value)} aria-describedby="new-order-target-error" />
          <FieldError id="new-order-target-error" message={err('target')} />
        </div>
        <div className="field wide">
          <label htmlFor="new-order-rationale">Rationale (required)</label>
          <textarea
            id="new-order-rationale"
            rows={2}
            value={rationale}
            onChange={(e) => setRationale(e.target.value)}
            aria-invalid={err('rationale') !== undefined}
            aria-describedby="new-order-rationale-error"
          />
          <FieldError id="new-order-rationale-error" message={err('rationale')} />
        </div>
        <div className="wide">
          <PreviewNotice id="new-order" preview={preview.data} pending={preview.isPending && preview.fetchStatus !== 'idle'} />
        </div>
        <FormOutcome error={formError} done={send.isSuccess ? 'Order issued.' : undefined} pending={send.isPending} label="Issue order" wide />
      </form>
    </section>
  );
}
