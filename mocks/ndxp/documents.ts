import { createHash, randomUUID } from 'node:crypto';
import { BoundedMap } from '../shared/bounded-map.ts';

export interface ExchangedDocument {
  id: string;
  from: string;
  to: string;
  subject: string;
  documentNumber: string;
  size: number;
  sha256: string;
  receivedAt: string;
  acknowledged: boolean;
}

export interface SendRequest {
  to: string;
  subject: string;
  documentNumber: string;
  content: string;
}

type Reservation = { id: string; bodyHash: string; state: 'pending' | 'done' };

/** Documents between units: inboxes of unacknowledged documents, idempotent sends keyed per consumer. */
export class DocumentExchange {
  private readonly documents = new BoundedMap<string, ExchangedDocument>(200_000);
  private readonly idempotency = new BoundedMap<string, Reservation>(200_000);
  /** Unacknowledged documents per receiving unit, oldest first. */
  private readonly inboxes = new BoundedMap<string, BoundedMap<string, ExchangedDocument>>(20_000);

  /**
   * Reserves an Idempotency-Key before delivery: a replay of a finished send gets its id back, a replay while the
   * first is still in flight or with another body is refused.
   */
  reserve(consumer: string, key: string | undefined, body: SendRequest): { kind: 'new'; id: string } | { kind: 'replay'; id: string } | { kind: 'conflict'; reason: string } {
    const id = randomUUID();
    if (key === undefined) return { kind: 'new', id };
    const bodyHash = createHash('sha256').update(JSON.stringify([body.to, body.subject, body.documentNumber, body.content])).digest('hex');
    const scopedKey = `${consumer}\u0000${key}`;
    const existing = this.idempotency.get(scopedKey);
    if (!existing) {
      this.idempotency.set(scopedKey, { id, bodyHash, state: 'pending' });
      return { kind: 'new', id };
    }
    if (existing.bodyHash !== bodyHash) return { kind: 'conflict', reason: 'Idempotency-Key was already used with a different document' };
    if (existing.state === 'pending') return { kind: 'conflict', reason: 'a send with this Idempotency-Key is still in progress' };
    return { kind: 'replay', id: existing.id };
  }

  release(consumer: string, key: string | undefined): void {
    if (key !== undefined) this.idempotency.delete(`${consumer}\u0000${key}`);
  }

  deliver(id: string, from: string, key: string | undefined, body: SendRequest): ExchangedDocument {
    const content = Buffer.from(body.content, 'base64');
    const document: ExchangedDocument = {
      id,
      from,
      to: body.to,
      subject: body.subject,
      documentNumber: body.documentNumber,
      size: content.length,
      sha256: createHash('sha256').update(content).digest('hex'),
      receivedAt: new Date().toISOString(),
      acknowledged: false,
    };
    this.documents.set(id, document);
    let inbox = this.inboxes.get(body.to);
    if (!inbox) {
      inbox = new BoundedMap(10_000);
      this.inboxes.set(body.to, inbox);
    }
    inbox.set(id, document);
    const reservation = key !== undefined ? this.idempotency.get(`${from}\u0000${key}`) : undefined;
    if (reservation) reservation.state = 'done';
    return document;
  }

  inbox(unit: string, limit: number): ExchangedDocument[] {
    const items: ExchangedDocument[] = [];
    for (const document of this.inboxes.get(unit)?.values() ?? []) {
      items.push(document);
      if (items.length >= limit) break;
    }
    return items;
  }

  acknowledge(id: string): ExchangedDocument | undefined {
    const document = this.documents.get(id);
    if (document) {
      document.acknowledged = true;
      this.inboxes.get(document.to)?.delete(id);
    }
    return document;
  }
}
