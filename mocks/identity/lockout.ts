import type { BoundedStore } from '../shared/bounded-store.ts';
import { stringBytes } from '../shared/bounded-store.ts';
import type { ServiceContext } from '../shared/context.ts';

interface Attempts {
  failures: number;
  lockedUntilMs: number;
}

/** Failures older than this are forgotten even without a lock, so the store holds only recent attempts. */
const MIN_MEMORY_MS = 15 * 60 * 1000;

/** Consecutive wrong passwords per account; at the limit the account is locked for a while. */
export class Lockout {
  private readonly accounts: BoundedStore<string, Attempts>;

  constructor(
    context: ServiceContext,
    private readonly maxFailures: number,
    private readonly lockoutMs: number,
  ) {
    this.accounts = context.store('lockouts', {
      ttlMs: Math.max(lockoutMs, MIN_MEMORY_MS),
      sizeOf: (account) => stringBytes(account) + 24,
    });
  }

  isLocked(account: string): boolean {
    const attempts = this.accounts.get(account);
    return attempts !== undefined && attempts.lockedUntilMs > Date.now();
  }

  /** Records a wrong password; true when this failure locks the account. */
  fail(account: string): { locked: boolean; remaining: number } {
    const attempts = this.accounts.get(account) ?? { failures: 0, lockedUntilMs: 0 };
    if (attempts.lockedUntilMs !== 0 && attempts.lockedUntilMs <= Date.now()) {
      attempts.failures = 0;
      attempts.lockedUntilMs = 0;
    }
    attempts.failures++;
    const locked = attempts.failures >= this.maxFailures;
    if (locked) attempts.lockedUntilMs = Date.now() + this.lockoutMs;
    this.accounts.set(account, attempts);
    return { locked, remaining: Math.max(0, this.maxFailures - attempts.failures) };
  }

  succeed(account: string): void {
    this.accounts.delete(account);
  }

  clear(): void {
    this.accounts.clear();
  }
}
