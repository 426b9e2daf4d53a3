/**
 * The demo node's accounts: one login per role of DESIGN.md's story, on the
 * people of scenarios/demo.yaml. The passwords are printed by `npm start`
 * and written here on purpose: they open a demo of fictional agencies on
 * the user's own machine, and nothing else.
 */
import type { AccountService, Role } from './accounts.ts';

export interface DemoUser {
  readonly role: string;
  readonly login: string;
  readonly password: string;
  readonly agency: string;
  readonly person: string;
  readonly accountRole: Role;
}

export const DEMO_USERS: readonly DemoUser[] = [
  { role: 'fed-ice supervisor', login: 'santos', password: 'demo-santos-2026', agency: 'fed-ice', person: 'ice-santos', accountRole: 'member' },
  { role: 'fed-ice liaison', login: 'whitfield', password: 'demo-whitfield-2026', agency: 'fed-ice', person: 'ice-whitfield', accountRole: 'member' },
  { role: 'city-pd dispatcher', login: 'reyes', password: 'demo-reyes-2026', agency: 'city-pd', person: 'cpd-reyes', accountRole: 'member' },
  { role: 'city-pd watch commander', login: 'chen', password: 'demo-chen-2026', agency: 'city-pd', person: 'cpd-chen', accountRole: 'member' },
  { role: 'city-pd chief of patrol', login: 'harris', password: 'demo-harris-2026', agency: 'city-pd', person: 'cpd-harris', accountRole: 'member' },
  { role: 'reviewer (inspector general)', login: 'liu', password: 'demo-liu-2026-ig', agency: 'review-board', person: 'rb-ig', accountRole: 'reviewer' },
];

/** adds the demo logins the node does not have yet (a login already there is left as it is) */
export async function ensureDemoUsers(accounts: AccountService): Promise<void> {
  const have = new Set((await accounts.users()).map((u) => u.login));
  for (const u of DEMO_USERS) {
    if (have.has(u.login)) continue;
    await accounts.addUser({ agency: u.agency, person: u.person, login: u.login, password: u.password, role: u.accountRole });
  }
}
