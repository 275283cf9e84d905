// The VUs of one thread: initialised up front (k6 initialises them before setup), handed to
// scenarios and returned when a scenario is done with them; more are initialised on demand
// (arrival-rate executors up to maxVUs).
import type { VU } from '../runtime/vu.ts';
import type { ExecutionSegment } from './segment.ts';

export class VUPool {
  private readonly idle: VU[] = [];
  initialized = 0;

  constructor(
    private readonly create: (idInInstance: number, idInTest: number) => VU,
    private readonly segment: ExecutionSegment,
  ) {}

  preallocate(count: number): void {
    for (let i = 0; i < count; i++) this.idle.push(this.createNext());
  }

  acquire(): VU {
    return this.idle.pop() ?? this.createNext();
  }

  release(vu: VU): void {
    if (!vu.interrupted) this.idle.push(vu);
  }

  private createNext(): VU {
    const idInInstance = ++this.initialized;
    // Ids interleave between threads so that they are unique in the test, as k6's are.
    return this.create(idInInstance, (idInInstance - 1) * this.segment.count + this.segment.index + 1);
  }
}
