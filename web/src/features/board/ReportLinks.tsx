/**
 * The review reports (docs/review.md) from the board: the node builds each
 * from what the person's agency may read and serves it as a file, the HTML
 * page under a policy of its own. They open in a new tab: the board stays
 * live.
 */
const FORMATS = [
  ['html', 'HTML'],
  ['pdf', 'PDF'],
  ['csv', 'CSV'],
] as const;

function links(path: string, label: string) {
  return FORMATS.map(([format, name], i) => (
    <span key={format}>
      {i > 0 && ' · '}
      <a href={`${path}&format=${format}`} target="_blank" rel="noopener" aria-label={`${label} as ${name}`}>
        {name}
      </a>
    </span>
  ));
}

/** after-action report of the incident */
export function IncidentReportLinks({ incident }: { readonly incident: string }) {
  return (
    <p className="report-links">After-action report: {links(`/v1/reports/after-action?incident=${encodeURIComponent(incident)}`, 'After-action report')}</p>
  );
}

/** the ICS 213RR of one request */
export function RequestReportLinks({ request }: { readonly request: string }) {
  return <p className="report-links">ICS 213RR: {links(`/v1/reports/ics-213rr?request=${encodeURIComponent(request)}`, `ICS 213RR of ${request}`)}</p>;
}
