/**
 * Login rate limiting with lockout, as pure functions of a throttle's state
 * and the time: `max` failures of one key within `windowMs` lock that key
 * for `lockMs`. Keys are a login name and a client address, each with its
 * own rule (an address is shared behind NAT, so it gets a higher limit).
 * The state is kept in the account store (AccountStore.updateThrottle), so
 * a restart does not reset a lockout. OWASP authentication cheat sheet,
 * "Account lockout"; the name key is counted whether or not the login
 * exists, so the lockout does not tell who has an account.
 */
import type { Throttle } from '../store/accounts.ts';

export interface ThrottleRule {
  readonly max: number;
  readonly windowMs: number;
  readonly lockMs: number;
}

export interface LoginLimits {
  readonly perLogin: ThrottleRule;
  readonly perAddress: ThrottleRule;
}

const MINUTE = 60_000;
export const DEFAULT_LOGIN_LIMITS: LoginLimits = {
  perLogin: { max: 5, windowMs: 15 * MINUTE, lockMs: 15 * MINUTE },
  perAddress: { max: 20, windowMs: 15 * MINUTE, lockMs: 15 * MINUTE },
};

/** the end of the lockout in force at `now`, if any */
export function lockedUntil(t: Throttle | undefined, now: number): number | undefined {
  return t?.lockedUntil !== undefined && now < t.lockedUntil ? t.lockedUntil : undefined;
}

/**
 * The state after a failure at `now`: failures older than the window are
 * dropped; the `max`-th within it locks the key and starts a new count. A
 * failure while locked (the caller should not have tried) changes nothing.
 */
export function afterFailure(t: Throttle | undefined, now: number, rule: ThrottleRule): Throttle {
  if (t !== undefined && lockedUntil(t, now) !== undefined) return t;
  const recent = (t?.failures ?? []).filter((at) => at > now - rule.windowMs && at <= now);
  const failures = [...recent, now];
  if (failures.length >= rule.max) return { failures: [], lockedUntil: now + rule.lockMs };
  return { failures };
}
