/**
 * The incident board with its live picture: the shell puts the picture's
 * features (map, timeline, checkpoint, conflicts, messages, command) into
 * the board's areas, since no feature imports another. The timeline's
 * entries are one log per incident (shared/entries.ts), which the
 * checkpoint badge reads too; only those two re-render as entries arrive.
 */
import { useCallback, useMemo } from 'react';
import './picture.css';
import { BoardView } from '../features/board/index.ts';
import { CheckpointBadge } from '../features/checkpoint/index.ts';
import { CommandChart } from '../features/command/index.ts';
import { ConflictAlerts } from '../features/conflicts/index.ts';
import { InboxPanel } from '../features/inbox/index.ts';
import { IncidentMap } from '../features/map/index.ts';
import { MessagesPanel } from '../features/messages/index.ts';
import { Timeline } from '../features/timeline/index.ts';
import { OnScreen, useIncidentLog } from '../shared/entries.ts';
import { asPicture } from '../shared/picture.ts';
import type { IncidentView, Session } from '../shared/types.ts';

export function IncidentBoard({ incident, session }: { readonly incident: string; readonly session: Session }) {
  const log = useIncidentLog(incident);
  const onScreen = useMemo(() => new OnScreen(), [log]);
  const picture = useCallback(
    (view: IncidentView) => {
      const v = asPicture(view);
      return {
        checkpoint: <CheckpointBadge log={log} onScreen={onScreen} />,
        map: <IncidentMap view={v} />,
        timeline: <Timeline log={log} units={v.units} onScreen={onScreen} />,
        conflicts: <ConflictAlerts conflicts={v.conflicts} orders={v.orders} units={v.units} />,
        messages: <MessagesPanel incident={incident} messages={v.messages} agencies={v.agencies} liaisons={v.liaisons} session={session} />,
        command: <CommandChart command={v.command} liaisons={v.liaisons} agencies={v.agencies} units={v.units} requests={v.requests} orders={v.orders} />,
      };
    },
    [incident, log, onScreen, session],
  );
  const aside = useMemo(() => <InboxPanel incident={incident} />, [incident]);
  return <BoardView incident={incident} session={session} aside={aside} picture={picture} />;
}
