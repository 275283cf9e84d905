import { createHash, randomUUID } from 'node:crypto';
import { type BoundedStore, type EvictionReason, type MeteredStore, stringBytes } from '../shared/bounded-store.ts';
import type { ServiceContext } from '../shared/context.ts';

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

type Sent = { kind: 'new' | 'replay'; id: string } | { kind: 'conflict' };
type IdempotentSend = { id: string; bodyHash: string };

/** Unacknowledged documents per receiving unit, oldest first: an index into the document store, bounded by it. */
class Inboxes implements MeteredStore {
  readonly name = 'inboxes';
  readonly evictions = new Map<EvictionReason, number>();
  private readonly byUnit = new Map<string, Map<string, ExchangedDocument>>();
  private entries = 0;

  constructor(readonly limits: MeteredStore['limits']) {}

  get size(): number {
    return this.entries;
  }
  /** A reference per entry and a Map per unit; the documents themselves are counted by their store. */
  get bytes(): number {
    return this.entries * 48 + this.byUnit.size * 160;
  }

  add(document: ExchangedDocument): void {
    let inbox = this.byUnit.get(document.to);
    if (!inbox) {
      inbox = new Map();
      this.byUnit.set(document.to, inbox);
    }
    inbox.set(document.id, document);
    this.entries++;
  }

  remove(document: ExchangedDocument, reason?: EvictionReason): void {
    const inbox = this.byUnit.get(document.to);
    if (!inbox?.delete(document.id)) return;
    this.entries--;
    if (inbox.size === 0) this.byUnit.delete(document.to);
    if (reason) this.evictions.set(reason, (this.evictions.get(reason) ?? 0) + 1);
  }

  list(unit: string, limit: number): ExchangedDocument[] {
    const items: ExchangedDocument[] = [];
    for (const document of this.byUnit.get(unit)?.values() ?? []) {
      items.push(document);
      if (items.length >= limit) break;
    }
    return items;
  }
}

/** Documents between units: inboxes of unacknowledged documents, idempotent sends keyed per consumer. */
export class DocumentExchange {
  private readonly documents: BoundedStore<string, ExchangedDocument>;
  private readonly idempotency: BoundedStore<string, IdempotentSend>;
  private readonly inboxes: Inboxes;

  constructor(context: ServiceContext) {
    this.documents = context.store('documents', {
      sizeOf: (id, d) => stringBytes(id, d.from, d.to, d.subject, d.documentNumber, d.sha256, d.receivedAt) + 16,
      // A document the store forgets leaves its inbox too, so inboxes never outgrow the store.
      onEvict: (_id, document) => this.inboxes.remove(document, 'with_document'),
    });
    this.idempotency = context.store('idempotency_keys', { sizeOf: (key, send) => stringBytes(key, send.id, send.bodyHash) });
    this.inboxes = new Inboxes(context.config.stores.documents);
    context.meter(this.inboxes);
  }

  /**
   * Delivers a document, or answers a replay of an earlier send with the same Idempotency-Key: the same body gets
   * the first id back, another body is a conflict. Keys are scoped by the (verified) consumer.
   */
  send(consumer: string, key: string | undefined, body: SendRequest): Sent {
    const scopedKey = key === undefined ? undefined : `${consumer}\u0000${key}`;
    const bodyHash =
      scopedKey === undefined
        ? ''
        : createHash('sha256')
            .update(JSON.stringify([body.to, body.subject, body.documentNumber, body.content]))
            .digest('hex');
    if (scopedKey !== undefined) {
      const earlier = this.idempotency.get(scopedKey);
      if (earlier) return earlier.bodyHash === bodyHash ? { kind: 'replay', id: earlier.id } : { kind: 'conflict' };
    }
    const content = Buffer.from(body.content, 'base64');
    const document: ExchangedDocument = {
      id: randomUUID(),
      from: consumer,
      to: body.to,
      subject: body.subject,
      documentNumber: body.documentNumber,
      size: content.length,
      sha256: createHash('sha256').update(content).digest('hex'),
      receivedAt: new Date().toISOString(),
      acknowledged: false,
    };
    this.documents.set(document.id, document);
    this.inboxes.add(document);
    if (scopedKey !== undefined) this.idempotency.set(scopedKey, { id: document.id, bodyHash });
    return { kind: 'new', id: document.id };
  }

  inbox(unit: string, limit: number): ExchangedDocument[] {
    return this.inboxes.list(unit, limit);
  }

  acknowledge(id: string): ExchangedDocument | undefined {
    const document = this.documents.get(id);
    if (document) {
      document.acknowledged = true;
      this.inboxes.remove(document);
    }
    return document;
  }
}
