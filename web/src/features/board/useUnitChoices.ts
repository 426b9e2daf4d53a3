/**
 * What the request and order forms need of the unit list, and nothing more:
 * selected from the cached list (GET /v1/units) with structural sharing, so
 * a unit's status change, which redraws its row on the unit board, does not
 * redraw a request card or an order card.
 */
import { useQuery } from '@tanstack/react-query';
import { UNIT_LIST } from '../../shared/units.ts';
import type { UnitChoice } from './request-offers.ts';

export type { UnitChoice };

export function useUnitChoices(): readonly UnitChoice[] {
  const q = useQuery({
    ...UNIT_LIST,
    select: (d) =>
      d.units.map((u) => ({
        id: u.id,
        agency: u.agency,
        callsign: u.callsign,
        ...(u.type !== undefined ? { type: u.type } : {}),
        ...(u.members !== undefined ? { members: u.members } : {}),
      })),
  });
  return q.data ?? NONE;
}

const NONE: readonly UnitChoice[] = [];
