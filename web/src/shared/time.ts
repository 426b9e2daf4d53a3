/** times as the control room reads them: local clock with its zone, the date when not today */
const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
const fmt = new Intl.DateTimeFormat(undefined, {
  year: 'numeric',
  month: 'short',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  timeZoneName: 'short',
});

/** formatted times by their ISO text: a board draws the same few hundred again on every change, and Intl costs ~10 µs each */
const formatted = new Map<string, string>();
const FORMATTED_MAX = 5000;

export function formatTime(iso: string | undefined): string {
  if (iso === undefined) return '—';
  let s = formatted.get(iso);
  if (s === undefined) {
    const d = new Date(iso);
    s = Number.isNaN(d.getTime()) ? iso : fmt.format(d);
    if (formatted.size >= FORMATTED_MAX) formatted.clear();
    formatted.set(iso, s);
  }
  return s;
}

export { zone as localZone };
