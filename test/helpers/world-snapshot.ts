/**
 * A deep copy of a world as it is now, to compare with later: structuredClone,
 * with each collection given back the null prototype the projection gives it
 * (world.ts `collection`), so that a strict deepEqual compares contents.
 */
import { collection, type World } from '../../src/domain/world.ts';

export function snapshotWorld(world: World): World {
  const copy = structuredClone(world) as unknown as Record<string, unknown>;
  for (const [k, v] of Object.entries(copy)) {
    if (v !== null && typeof v === 'object' && Object.getPrototypeOf((world as unknown as Record<string, unknown>)[k]) === null)
      copy[k] = collection(v as Record<string, unknown>);
  }
  return copy as unknown as World;
}
