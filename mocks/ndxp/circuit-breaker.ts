export type CircuitState = 'closed' | 'half_open' | 'open';
export const CIRCUIT_STATE_VALUE: Record<CircuitState, number> = { closed: 0, half_open: 1, open: 2 };

/**
 * Fast-fails calls to a provider after `failureThreshold` consecutive failures, for `openMs`; then lets one probe
 * through (half-open): its success closes the circuit, its failure opens it again.
 */
export class CircuitBreaker {
  private stateNow: CircuitState = 'closed';
  private consecutiveFailures = 0;
  private openUntilMs = 0;
  private probeInFlight = false;

  constructor(private readonly settings: { failureThreshold: number; openMs: number }) {}

  get state(): CircuitState {
    return this.stateNow;
  }

  /** 0 when the call may go ahead, else the seconds a client should wait. */
  admit(): number {
    if (this.stateNow === 'closed') return 0;
    const now = Date.now();
    if (this.stateNow === 'open') {
      if (now < this.openUntilMs) return (this.openUntilMs - now) / 1000;
      this.stateNow = 'half_open';
      this.probeInFlight = false;
    }
    if (this.probeInFlight) return 1;
    this.probeInFlight = true;
    return 0;
  }

  succeed(): void {
    this.consecutiveFailures = 0;
    if (this.stateNow === 'half_open') {
      this.stateNow = 'closed';
      this.probeInFlight = false;
    }
  }

  fail(): void {
    this.consecutiveFailures++;
    if (this.stateNow === 'half_open' || (this.stateNow === 'closed' && this.consecutiveFailures >= this.settings.failureThreshold)) {
      this.stateNow = 'open';
      this.openUntilMs = Date.now() + this.settings.openMs;
      this.probeInFlight = false;
    }
  }

  reset(): void {
    this.stateNow = 'closed';
    this.consecutiveFailures = 0;
    this.probeInFlight = false;
  }
}
