import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useId, useState, type FormEvent } from 'react';
import { ApiProblem, postJson } from '../../shared/api.ts';
import { FieldError } from '../../shared/FieldError.tsx';
import { who, type Message } from '../../shared/picture.ts';
import type { PersonRef, Session } from '../../shared/types.ts';
import { formatTime } from '../../shared/time.ts';

/** the server's longest message (domain/values.ts MAX_MESSAGE_LENGTH): said before sending */
const MAX_TEXT = 4000;

type Field = 'text' | 'recipients';

/** which field a refusal is about: the one the server names, else what its words are about (it names none for these two) */
function fieldOf(problem: ApiProblem): Field | undefined {
  const f = problem.field;
  if (f === 'text') return 'text';
  if (f !== undefined && (f.startsWith('agencies') || f.startsWith('people'))) return 'recipients';
  if (/recipient|does not take part/i.test(problem.message)) return 'recipients';
  if (/\btext\b/i.test(problem.message)) return 'text';
  return undefined;
}

function SendMessage({
  incident,
  agencies,
  people,
  session,
}: {
  readonly incident: string;
  readonly agencies: readonly { readonly id: string; readonly name: string }[];
  readonly people: readonly PersonRef[];
  readonly session: Session;
}) {
  const id = useId();
  const client = useQueryClient();
  const [text, setText] = useState('');
  const [to, setTo] = useState<readonly string[]>([]);
  const [toPeople, setToPeople] = useState<readonly string[]>([]);
  const [local, setLocal] = useState<Partial<Record<Field, string>>>({});
  const send = useMutation({
    mutationFn: (body: Record<string, unknown>) => postJson<unknown>(`/v1/incidents/${encodeURIComponent(incident)}/messages`, body),
    onSuccess: () => {
      setText('');
      setTo([]);
      setToPeople([]);
    },
    onSettled: () => client.invalidateQueries({ queryKey: ['incident', incident] }),
  });
  const problem = send.error instanceof ApiProblem ? send.error : undefined;
  const serverField = problem !== undefined ? fieldOf(problem) : undefined;
  const errorOf = (f: Field) => local[f] ?? (serverField === f ? problem?.message : undefined);
  const formError = send.error !== null && serverField === undefined ? send.error.message : undefined;
  const toggle = (list: readonly string[], v: string, on: boolean) => (on ? [...list, v] : list.filter((x) => x !== v));

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const l: Partial<Record<Field, string>> = {};
    if (text.trim() === '') l.text = 'Write the message.';
    else if (text.length > MAX_TEXT) l.text = `At most ${MAX_TEXT} characters (this is ${text.length}).`;
    if (to.length + toPeople.length === 0) l.recipients = 'Choose at least one agency or person.';
    setLocal(l);
    if (Object.keys(l).length > 0) return;
    send.reset();
    send.mutate({ text: text.trim(), ...(to.length > 0 ? { agencies: to } : {}), ...(toPeople.length > 0 ? { people: toPeople } : {}) });
  };

  if (session.scope !== 'write' || session.reviewer) return <p className="muted">Read only: you cannot send messages.</p>;
  return (
    <form className="action message-form" onSubmit={submit} noValidate aria-label="Send a message">
      <fieldset aria-describedby={`${id}-to-err`} aria-invalid={errorOf('recipients') !== undefined}>
        <legend>To</legend>
        {agencies.map((a) => (
          <label key={a.id} className="check">
            <input type="checkbox" checked={to.includes(a.id)} onChange={(e) => setTo(toggle(to, a.id, e.target.checked))} /> {a.name} ({a.id})
          </label>
        ))}
        {people.map((p) => (
          <label key={p.id} className="check">
            <input type="checkbox" checked={toPeople.includes(p.id)} onChange={(e) => setToPeople(toggle(toPeople, p.id, e.target.checked))} /> {p.name ?? p.id}{' '}
            ({p.agency}, liaison)
          </label>
        ))}
      </fieldset>
      <FieldError id={`${id}-to-err`} message={errorOf('recipients')} />
      <label htmlFor={`${id}-text`}>Message (required)</label>
      <textarea
        id={`${id}-text`}
        rows={2}
        value={text}
        maxLength={MAX_TEXT + 200}
        onChange={(e) => setText(e.target.value)}
        aria-invalid={errorOf('text') !== undefined}
        aria-describedby={`${id}-text-err`}
      />
      <FieldError id={`${id}-text-err`} message={errorOf('text')} />
      {formError !== undefined ? (
        <p role="alert" className="error">
          {formError}
        </p>
      ) : null}
      <button type="submit" disabled={send.isPending}>
        Send message
      </button>
      {send.isSuccess ? <span className="muted"> Message sent.</span> : null}
    </form>
  );
}

/** the incident's messages (those to the caller's agency or from it), newest first, and a form to send one */
export function MessagesPanel({
  incident,
  messages,
  agencies,
  liaisons,
  session,
}: {
  readonly incident: string;
  readonly messages: readonly Message[];
  readonly agencies: readonly { readonly id: string; readonly name: string }[];
  readonly liaisons: readonly PersonRef[];
  readonly session: Session;
}) {
  const id = useId();
  const newest = [...messages].reverse();
  return (
    <section className="panel messages" aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>
        Messages <span className="count">{messages.length}</span>
      </h2>
      <ul className="list scroll-y">
        {newest.map((m) => (
          <li key={m.id} className="item" data-message={m.id}>
            <p>
              <strong>{who(m.from)}</strong> <span className="muted">{formatTime(m.sentAt)}</span>
            </p>
            <p className="message-text">{m.text}</p>
            <p className="muted">to {[...m.agencies, ...m.people.map((p) => p.name ?? p.id)].join(', ')}</p>
          </li>
        ))}
        {messages.length === 0 ? <li className="muted">No messages yet.</li> : null}
      </ul>
      <SendMessage incident={incident} agencies={agencies} people={liaisons} session={session} />
    </section>
  );
}
