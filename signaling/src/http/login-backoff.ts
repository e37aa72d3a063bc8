import type { RateLimiter } from './rate-limit.js';

/**
 * Per-account back-off for password guessing, on the shared RateLimiter (Redis when REDIS_URL is set, so every
 * signaling node sees the same counts).
 *
 * A plain "N failures locks the account" would hand any stranger a way to lock a county officer out of the
 * console by typing wrong passwords for them. So the back-off is keyed on the pair (account, client address):
 *
 * - pair: after PAIR_FREE consecutive failures of one address on one account, that address is refused for
 *   that account for 1 min, then 2, 4, … up to 1 h after each further failure. Refused attempts check no
 *   password, so a held address cannot learn anything. A success from the address clears its pair.
 * - account: failures from all addresses together form a softer budget. Over it, the account counts as under
 *   attack: an address that has already failed UNDER_ATTACK_FREE times on it is refused until the attack
 *   subsides, while an address that has not been failing still gets its few tries. The real user, at their
 *   own desk, still logs in with the right password; an attacker needs a new address for every few guesses.
 * - address: failures of one address over all accounts, so one machine cannot spray every account.
 *
 * The account is the user's id when the name exists and the normalised name when it does not, so both take the
 * same path and the answers do not tell which names exist. What this cannot separate: an attacker behind the
 * same address as the real user (one NAT for a whole office) shares that user's pair.
 */
export const LOGIN_BACKOFF = {
  PAIR_FREE: 10,
  PAIR_FIRST_HOLD_MS: 60_000,
  PAIR_MAX_HOLD_MS: 60 * 60_000,
  /** A pair's failures are forgotten a day after its latest one (or at once on a success). */
  PAIR_TTL_MS: 24 * 60 * 60_000,
  ACCOUNT_BUDGET: 30,
  ACCOUNT_TTL_MS: 60 * 60_000,
  UNDER_ATTACK_FREE: 3,
  ADDRESS_BUDGET: 100,
  ADDRESS_TTL_MS: 10 * 60_000,
} as const;

export type BackoffVerdict = { ok: true } | { ok: false; retryAfterMs: number };

export class LoginBackoff {
  constructor(
    private readonly counters: RateLimiter,
    private readonly p = LOGIN_BACKOFF,
  ) {}

  private keys(account: string, address: string) {
    return { pair: `login-pair:${account}:${address}`, account: `login-acct:${account}`, address: `login-addr:${address}` };
  }

  /** Before any password check: may this address try this account now? */
  async check(account: string, address: string): Promise<BackoffVerdict> {
    const k = this.keys(account, address);
    const held = await this.counters.heldFor(k.pair);
    if (held > 0) return { ok: false, retryAfterMs: held };
    if ((await this.counters.get(k.address)) >= this.p.ADDRESS_BUDGET) return { ok: false, retryAfterMs: this.p.ADDRESS_TTL_MS };
    const [accountFailures, pairFailures] = await Promise.all([this.counters.get(k.account), this.counters.get(k.pair)]);
    if (accountFailures >= this.p.ACCOUNT_BUDGET && pairFailures >= this.p.UNDER_ATTACK_FREE) return { ok: false, retryAfterMs: this.p.ACCOUNT_TTL_MS };
    return { ok: true };
  }

  /** After a wrong password: counts it and, past the free tries, holds the pair. Returns the hold started (ms), 0 if none. */
  async failed(account: string, address: string): Promise<number> {
    const k = this.keys(account, address);
    const [pairFailures] = await Promise.all([
      this.counters.add(k.pair, this.p.PAIR_TTL_MS),
      this.counters.add(k.account, this.p.ACCOUNT_TTL_MS),
      this.counters.add(k.address, this.p.ADDRESS_TTL_MS),
    ]);
    if (pairFailures < this.p.PAIR_FREE) return 0;
    const ms = Math.min(this.p.PAIR_MAX_HOLD_MS, this.p.PAIR_FIRST_HOLD_MS * 2 ** Math.min(20, pairFailures - this.p.PAIR_FREE));
    await this.counters.hold(k.pair, ms);
    return ms;
  }

  /** After a right password: this address is not guessing. The account's budget keeps the attack's count. */
  async succeeded(account: string, address: string): Promise<void> {
    await this.counters.clear(this.keys(account, address).pair);
  }
}
