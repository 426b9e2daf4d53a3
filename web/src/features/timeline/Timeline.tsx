import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useId, useMemo, useRef, useState } from 'react';
import { useEntriesVersion, type EntryLog, type LedgerEntry, type OnScreen } from '../../shared/entries.ts';
import { formatTime } from '../../shared/time.ts';
import { differingClaim, filterEntries, NO_FILTER, summary, type TimelineFilter } from './filter.ts';

/** a row is two lines of the root's type (larger on a wall display): its height in px, for the virtual list */
function rowPx(): number {
  const root = parseFloat(getComputedStyle(document.documentElement).fontSize);
  return Math.round(2.95 * (Number.isFinite(root) && root > 0 ? root : 15));
}

/** a row's time, short: day, 24-hour clock to the second, and the zone */
const rowTime = new Intl.DateTimeFormat(undefined, {
  month: 'short',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
  timeZoneName: 'short',
});
function shortTime(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : rowTime.format(d);
}

function options(values: Iterable<string>): string[] {
  return [...new Set(values)].sort();
}

function TimelineRow({ e }: { readonly e: LedgerEntry }) {
  const by = e.actor.person ?? e.actor.device;
  const claimed = differingClaim(e);
  return (
    <div className="tl-row" data-index={e.index} data-type={e.type}>
      <div className="tl-when">
        <span title={`received by the server ${formatTime(e.received)}`}>{shortTime(e.received)}</span>
        {claimed !== undefined ? (
          <span className="tl-claimed" title={`the time the source claimed: ${claimed}`}>
            source {shortTime(claimed)}
          </span>
        ) : null}
      </div>
      <div className="tl-what">
        <div className="tl-head">
          <span className="tl-type">{e.type}</span> <span className="muted">#{e.index}</span> · {e.actor.agency}
          {by !== undefined ? ` / ${by}` : ''}
        </div>
        <div className="tl-summary">{summary(e)}</div>
      </div>
    </div>
  );
}

/** a datetime-local value as epoch ms in the browser's zone; NaN when empty */
function localMs(v: string): number {
  return v === '' ? Number.NaN : new Date(v).getTime();
}

/**
 * The incident's ledger entries, newest first, live, with filters; only the
 * rows in view are in the page (a virtualised list), so 10,000 entries
 * scroll as 20 do.
 */
export function Timeline({
  log,
  units,
  onScreen,
}: {
  readonly log: EntryLog;
  readonly units: readonly { readonly id: string; readonly callsign: string }[];
  readonly onScreen: OnScreen;
}) {
  const id = useId();
  const version = useEntriesVersion(log);
  const [filter, setFilter] = useState<TimelineFilter>(NO_FILTER);
  const [range, setRange] = useState({ from: '', to: '' });
  const scroller = useRef<HTMLDivElement>(null);
  // log.entries grows in place; version says when
  const shown = useMemo(() => filterEntries(log.entries, filter), [log, version, filter]);
  const facets = useMemo(
    () => ({
      agencies: options(log.entries.map((e) => e.actor.agency)),
      types: options(log.entries.map((e) => e.type)),
      people: options(log.entries.flatMap((e) => (e.actor.person !== undefined ? [e.actor.person] : []))),
    }),
    [log, version],
  );
  const row = rowPx();
  const rows = useVirtualizer({ count: shown.length, getScrollElement: () => scroller.current, estimateSize: () => row, overscan: 6 });
  // the type grew or shrank (a wall display's breakpoint): every row is re-measured
  useEffect(() => rows.measure(), [rows, row]);
  const items = rows.getVirtualItems();
  useEffect(() => {
    onScreen.set(items.flatMap((v) => (shown[v.index] !== undefined ? [(shown[v.index] as LedgerEntry).index] : [])));
  });

  const set = (k: keyof TimelineFilter) => (ev: { target: { value: string } }) => setFilter((f) => ({ ...f, [k]: ev.target.value }));
  const setTime = (k: 'from' | 'to') => (ev: { target: { value: string } }) => {
    const v = ev.target.value;
    setRange((r) => ({ ...r, [k]: v }));
    setFilter((f) => ({ ...f, [k]: localMs(v) }));
  };

  return (
    <section className="panel timeline" aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>
        Timeline{' '}
        <span className="count" data-count={shown.length}>
          {shown.length === log.entries.length ? `${shown.length} entries` : `${shown.length} of ${log.entries.length} entries`}
        </span>
        {log.status !== 'live' ? <span className="muted"> · {log.status}</span> : null}
      </h2>
      <form className="tl-filters" aria-label="Timeline filters" onSubmit={(e) => e.preventDefault()}>
        <label>
          Agency
          <select aria-label="Agency" value={filter.agency} onChange={set('agency')}>
            <option value="">all</option>
            {facets.agencies.map((a) => (
              <option key={a}>{a}</option>
            ))}
          </select>
        </label>
        <label>
          Entry type
          <select aria-label="Entry type" value={filter.type} onChange={set('type')}>
            <option value="">all</option>
            {facets.types.map((t) => (
              <option key={t}>{t}</option>
            ))}
          </select>
        </label>
        <label>
          Unit
          <select aria-label="Unit" value={filter.unit} onChange={set('unit')}>
            <option value="">all</option>
            {units.map((u) => (
              <option key={u.id} value={u.id}>
                {u.callsign}
              </option>
            ))}
          </select>
        </label>
        <label>
          Person
          <select aria-label="Person" value={filter.person} onChange={set('person')}>
            <option value="">all</option>
            {facets.people.map((p) => (
              <option key={p}>{p}</option>
            ))}
          </select>
        </label>
        <label>
          From
          <input aria-label="From" type="datetime-local" step="1" value={range.from} onChange={setTime('from')} />
        </label>
        <label>
          To
          <input aria-label="To" type="datetime-local" step="1" value={range.to} onChange={setTime('to')} />
        </label>
      </form>
      <div ref={scroller} className="tl-scroll" role="list" aria-label="Timeline entries, newest first" tabIndex={0}>
        <div style={{ height: rows.getTotalSize(), position: 'relative' }}>
          {items.map((v) => {
            const e = shown[v.index] as LedgerEntry;
            return (
              <div
                key={e.index}
                role="listitem"
                className="tl-slot"
                style={{ position: 'absolute', top: 0, left: 0, right: 0, height: row, transform: `translateY(${v.start}px)` }}
              >
                <TimelineRow e={e} />
              </div>
            );
          })}
        </div>
        {shown.length === 0 ? <p className="muted">No entries{log.entries.length > 0 ? ' match the filters' : ' yet'}.</p> : null}
      </div>
    </section>
  );
}
