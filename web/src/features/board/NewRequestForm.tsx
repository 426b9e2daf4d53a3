import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { ApiProblem, postJson } from '../../shared/api.ts';
import { FieldError } from '../../shared/FieldError.tsx';
import { usePreview } from '../../shared/preview.ts';
import { useCommandSchema } from '../../shared/schemas.ts';
import { holdsPositionOf, mayAct } from '../../shared/standing.ts';
import type { IncidentView, Session } from '../../shared/types.ts';
import { PreviewNotice } from './PreviewNotice.tsx';
import { FormOutcome } from './FormOutcome.tsx';

const words = (s: string) => s.replaceAll('_', ' ');

/** what the form says until the person has described it: the preview needs a description, whose words decide nothing */
const PREVIEW_DESCRIPTION = 'A description will be given.';

/**
 * A request for units to another agency of the incident. The values each
 * field takes come from the server's schema (/openapi.json); the receiving
 * agency's verdict, with the clauses it cites, shows while the form is
 * filled in (POST /v1/preview), before anything is sent.
 */
export function NewRequestForm({ view, session }: { readonly view: IncidentView; readonly session: Session }) {
  const client = useQueryClient();
  const schema = useCommandSchema('/v1/requests');
  const CATEGORIES = schema?.values('category') ?? [];
  const URGENCIES = schema?.values('urgency') ?? [];
  const OPERATIONS = schema?.values('operation') ?? [];
  const others = view.agencies.filter((a) => a.id !== session.agency);
  const [to, setTo] = useState(others[0]?.id ?? '');
  // until the person chooses, each field holds the first value the server lists
  const [chosenCategory, setCategory] = useState('');
  const [chosenUrgency, setUrgency] = useState('');
  const [chosenOperation, setOperation] = useState('');
  const category = chosenCategory || (CATEGORIES[0] ?? '');
  const urgency = chosenUrgency || (URGENCIES[0] ?? '');
  const operation = chosenOperation || (OPERATIONS[0] ?? '');
  const [count, setCount] = useState('2');
  const [description, setDescription] = useState('');
  const [location, setLocation] = useState('');
  const [local, setLocal] = useState<Record<string, string>>({});
  const send = useMutation({
    mutationFn: (body: Record<string, unknown>) => postJson<unknown>('/v1/requests', body),
    onSuccess: () => {
      setDescription('');
      setLocation('');
    },
    onSettled: () => client.invalidateQueries({ queryKey: ['incident'] }),
  });
  const n = Number(count);
  const preview = usePreview(
    '/v1/requests',
    {
      incidentId: view.incident.id,
      to,
      kind: 'units',
      category,
      urgency,
      operation,
      unitsRequested: Number.isInteger(n) && n >= 1 ? n : 1,
      description: PREVIEW_DESCRIPTION,
    },
    mayAct(session) && others.length > 0 && to !== '' && category !== '',
  );
  if (!mayAct(session) || !holdsPositionOf(session, session.agency) || others.length === 0) return null;

  const problem = send.error instanceof ApiProblem ? send.error : undefined;
  const FIELDS = ['to', 'category', 'urgency', 'operation', 'unitsRequested', 'description', 'location'];
  const err = (f: string) => local[f] ?? (problem?.field === f ? problem.message : undefined);
  const formError = send.error !== null && (problem?.field === undefined || !FIELDS.includes(problem.field)) ? send.error.message : undefined;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const l: Record<string, string> = {};
    if (description.trim() === '') l['description'] = 'Say what is happening and what the units are needed for.';
    if (!Number.isInteger(n) || n < 1) l['unitsRequested'] = 'A whole number of units, at least 1.';
    setLocal(l);
    if (Object.keys(l).length > 0) return;
    send.reset();
    send.mutate({
      incidentId: view.incident.id,
      to,
      kind: 'units',
      category,
      urgency,
      operation,
      unitsRequested: n,
      description: description.trim(),
      ...(location.trim() !== '' ? { location: location.trim() } : {}),
    });
  };
  const select = (id: string, label: string, value: string, set: (v: string) => void, options: readonly { value: string; label: string }[]) => (
    <div className="field">
      <label htmlFor={`new-request-${id}`}>{label}</label>
      <select id={`new-request-${id}`} value={value} onChange={(e) => set(e.target.value)} aria-describedby={`new-request-${id}-error`}>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
      <FieldError id={`new-request-${id}-error`} message={err(id)} />
    </div>
  );

  return (
    <section aria-labelledby="new-request-title" className="panel">
      <h2 id="new-request-title">Request help</h2>
      <form onSubmit={submit} noValidate className="grid-form">
        {select(
          'to',
          'To agency',
          to,
          setTo,
          others.map((a) => ({ value: a.id, label: a.name })),
        )}
        {select(
          'category',
          'Category',
          category,
          setCategory,
          CATEGORIES.map((c) => ({ value: c, label: words(c) })),
        )}
        {select(
          'urgency',
          'Urgency',
          urgency,
          setUrgency,
          URGENCIES.map((c) => ({ value: c, label: words(c) })),
        )}
        {select(
          'operation',
          'Your operation',
          operation,
          setOperation,
          OPERATIONS.map((c) => ({ value: c, label: words(c) })),
        )}
        <div className="field">
          <label htmlFor="new-request-unitsRequested">Units needed</label>
          <input
            id="new-request-unitsRequested"
            inputMode="numeric"
            value={count}
            onChange={(e) => setCount(e.target.value)}
            aria-invalid={err('unitsRequested') !== undefined}
            aria-describedby="new-request-unitsRequested-error"
          />
          <FieldError id="new-request-unitsRequested-error" message={err('unitsRequested')} />
        </div>
        <div className="field">
          <label htmlFor="new-request-location">Where (optional)</label>
          <input id="new-request-location" value={location} onChange={(e) => setLocation(e.target.value)} aria-describedby="new-request-location-error" />
          <FieldError id="new-request-location-error" message={err('location')} />
        </div>
        <div className="field wide">
          <label htmlFor="new-request-description">What is happening (required)</label>
          <textarea
            id="new-request-description"
            rows={2}
            value={description}
            onChange={(e) => setDescription(e.target.value)}
            aria-invalid={err('description') !== undefined}
            aria-describedby="new-request-description-error"
          />
          <FieldError id="new-request-description-error" message={err('description')} />
        </div>
        <div className="wide">
          <PreviewNotice id="new-request" preview={preview.data} pending={preview.isPending && preview.fetchStatus !== 'idle'} />
        </div>
        <FormOutcome error={formError} done={send.isSuccess ? 'Request sent.' : undefined} pending={send.isPending} label="Send request" wide />
      </form>
    </section>
  );
}
