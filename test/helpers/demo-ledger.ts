/**
 * The demo's ledger and world, built in memory by replaying
 * scenarios/demo.yaml through the scenario code (src/app/scenario-run.ts)
 * with predictable ids, and the world just before and just after each entry.
 */
import { readScenario } from '../../src/app/scenario.ts';
import { replayInMemory } from '../../src/app/scenario-run.ts';
import { applyEvent, emptyWorld, type RecordedEvent, type World } from '../../src/domain/index.ts';

export interface DemoLedger {
  readonly recorded: readonly RecordedEvent[];
  /** worlds[i]: the world just before entry i; worlds[recorded.length]: the world at the end */
  readonly worlds: readonly World[];
  readonly final: World;
}

let cached: Promise<DemoLedger> | undefined;

export function demoLedger(): Promise<DemoLedger> {
  cached ??= (async () => {
    let n = 0;
    const { recorded } = await replayInMemory(readScenario('scenarios/demo.yaml'), { newId: (prefix) => `${prefix}-${++n}` });
    const worlds: World[] = [emptyWorld];
    for (const r of recorded) worlds.push(applyEvent(worlds[worlds.length - 1] as World, r.event, r.meta));
    return { recorded, worlds, final: worlds[worlds.length - 1] as World };
  })();
  return cached;
}
