// The VUs of one thread: initialised up front (k6 initialises them before setup), handed to
// scenarios and returned when a scenario is done with them; more are initialised on demand
// (arrival-rate executors up to maxVUs).
import type { VU } from '../runtime/vu.ts';
import { type ExecutionSegment, VUIdCounter } from './segment.ts';

export class VUPool {
  private readonly idle: VU[] = [];
  initialized = 0;
  private readonly ids: VUIdCounter;

  constructor(
    private readonly create: (idInInstance: number, idInTest: number) => VU,
    segment: ExecutionSegment,
  ) {
    this.ids = new VUIdCounter(segment);
  }

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
    // One k6 instance however many threads: __VU and exec.vu.idInInstance are the same test-wide id.
    const id = this.ids.next();
    this.initialized++;
    return this.create(id, id);
  }
}
