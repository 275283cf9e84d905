import { randomUUID } from 'node:crypto';
import { stringBytes } from '../shared/bounded-store.ts';
import type { ServiceContext } from '../shared/context.ts';
import type { Procedure } from './catalogue.ts';

export type PaymentStatus = 'not_required' | 'unpaid' | 'pending' | 'paid';

export interface Dossier {
  code: string;
  owner: string;
  procedureCode: string;
  level: 3 | 4;
  fee: number;
  paymentRequired: boolean;
  submittedAtMs: number;
  paidAtMs?: number;
  paymentId?: string;
  paymentStatus: PaymentStatus;
}

export interface Payment {
  paymentId: string;
  dossierCode: string;
  owner: string;
  amount: number;
  status: 'pending' | 'paid' | 'failed';
}

export interface Attachment {
  id: string;
  owner: string;
  filename: string;
  contentType: string;
  size: number;
  sha256: string;
}

/** Dossiers, payments and attachment records (hashes and sizes, never the bytes). */
export class DossierStore {
  readonly attachments;
  readonly dossiers;
  readonly payments;
  private sequence = 0;
  private readonly instance = randomUUID().slice(0, 4).toUpperCase();

  constructor(
    context: ServiceContext,
    private readonly statusStepMs: number,
  ) {
    this.attachments = context.store<string, Attachment>('attachments', {
      sizeOf: (id, a) => stringBytes(id, a.owner, a.filename, a.contentType, a.sha256) + 8,
    });
    this.dossiers = context.store<string, Dossier>('dossiers', {
      sizeOf: (code, d) => stringBytes(code, d.owner, d.procedureCode, d.paymentId, d.paymentStatus) + 48,
    });
    this.payments = context.store<string, Payment>('payments', {
      sizeOf: (id, p) => stringBytes(id, p.dossierCode, p.owner, p.status) + 8,
    });
  }

  submit(owner: string, procedure: Procedure): Dossier {
    const now = new Date();
    const date = now.toISOString().slice(2, 10).replaceAll('-', '');
    const paymentRequired = procedure.level === 4 && procedure.fee > 0;
    const dossier: Dossier = {
      code: `G22.${this.instance}-${date}-${String(++this.sequence).padStart(6, '0')}`,
      owner,
      procedureCode: procedure.code,
      level: procedure.level,
      fee: procedure.fee,
      paymentRequired,
      submittedAtMs: now.getTime(),
      paymentStatus: paymentRequired ? 'unpaid' : 'not_required',
    };
    this.dossiers.set(dossier.code, dossier);
    return dossier;
  }

  /**
   * The lifecycle in compressed time: processing one step after submission, completed one step later, and for a
   * level-4 dossier never before one step after payment. Computed on read, so no timers run per dossier.
   */
  history(dossier: Dossier, nowMs = Date.now()): { status: string; at: string }[] {
    const step = this.statusStepMs;
    const events = [
      { status: 'received', atMs: dossier.submittedAtMs },
      { status: 'processing', atMs: dossier.submittedAtMs + step },
    ];
    const completedAtMs = dossier.paymentRequired
      ? dossier.paidAtMs === undefined
        ? undefined
        : Math.max(dossier.submittedAtMs + 2 * step, dossier.paidAtMs + step)
      : dossier.submittedAtMs + 2 * step;
    if (completedAtMs !== undefined) events.push({ status: 'completed', atMs: completedAtMs });
    return events.filter((event) => event.atMs <= nowMs).map((event) => ({ status: event.status, at: new Date(event.atMs).toISOString() }));
  }

  createPayment(dossier: Dossier): Payment {
    const existing = dossier.paymentId ? this.payments.get(dossier.paymentId) : undefined;
    if (existing?.status === 'pending') return existing;
    const payment: Payment = {
      paymentId: `PAY-${randomUUID()}`,
      dossierCode: dossier.code,
      owner: dossier.owner,
      amount: dossier.fee,
      status: 'pending',
    };
    this.payments.set(payment.paymentId, payment);
    dossier.paymentId = payment.paymentId;
    dossier.paymentStatus = 'pending';
    return payment;
  }

  settle(payment: Payment, success: boolean): void {
    if (payment.status !== 'pending') return;
    payment.status = success ? 'paid' : 'failed';
    const dossier = this.dossiers.get(payment.dossierCode);
    if (!dossier || dossier.paymentId !== payment.paymentId) return;
    dossier.paymentStatus = success ? 'paid' : 'unpaid';
    if (success) dossier.paidAtMs = Date.now();
  }
}
