// An agency system on the national data-sharing platform (NDXP): look-ups in the national databases
// and document exchange between units, each call carrying a transaction id, retried as the platform's
// integration guide asks of clients: honour Retry-After on 429/503, back off on 504, give up after a few tries.
import { check, sleep } from 'k6';
import { b64encode } from 'k6/encoding';
import http from 'k6/http';
import { Counter, Rate, Trend } from 'k6/metrics';
import { type Agency, agencyToken, dropAgencyToken } from './agency-token.ts';
import { config } from './config.ts';
import { formEncode } from './html-form.ts';
import { bearer, failureReason, header, jsonBody, type Response } from './http-util.ts';
import { uuid } from './pkce.ts';
import type { Random } from './random.ts';
import { makeCitizen, makeParcelId, makeTaxCode } from './synthetic.ts';
import { vuNumber } from './vu.ts';

/** Logical transactions (after retries) by `provider`, `service` and `result` (ok, quota, timeout, circuit_open, error, ...). */
export const ndxpTransactions = new Counter('ndxp_transactions');
export const ndxpSuccess = new Rate('ndxp_transaction_success');
/** First attempt to final answer, retries and their waits included: what the calling agency experiences. */
export const ndxpDuration = new Trend('ndxp_transaction_duration', true);
/** Retries by `provider` and `reason` (quota, circuit_open, timeout, network). */
export const ndxpRetries = new Counter('ndxp_retries');
/** Documents by `stage`: sent, received, acknowledged. */
export const ndxpDocuments = new Counter('ndxp_documents');

const FLOW = 'ndxp';
const MAX_ATTEMPTS = 3;

export type Provider = 'population' | 'business_registry' | 'social_insurance' | 'land' | 'document_exchange';

/**
 * The provider mix. Document exchange: one province's LGSP moves > 8,000 documents a day (seed 003);
 * across 34 provinces that is ≈ 270,000 of NDXP's 2.57 M daily transactions, about 10 %. The look-ups
 * share the rest, the population database (behind every identity check) taking the largest part.
 */
export const NDXP_MIX: ReadonlyArray<readonly [Provider, number]> = [
  ['population', 50],
  ['social_insurance', 15],
  ['business_registry', 15],
  ['land', 10],
  ['document_exchange', 10],
];

interface CallSpec {
  provider: Provider;
  service: string;
  method: 'GET' | 'POST';
  url: string;
  name: string;
  body?: string;
  headers?: Record<string, string>;
  /** Statuses that answer the question (e.g. 404 for a citizen not in the database). */
  accepted: number[];
}

function resultOf(res: Response): string {
  if (res.status === 429) return 'quota';
  if (res.status === 503) return 'circuit_open';
  if (res.status === 504) return 'timeout';
  if (res.status === 0) return failureReason(res);
  return 'error';
}

/** Seconds from Retry-After (delta-seconds or an HTTP date); undefined when absent or unreadable. */
export function retryAfterSeconds(value: string | null | undefined, now = Date.now()): number | undefined {
  if (value === undefined || value === null || value.trim() === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Number(value.trim());
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, (date - now) / 1000);
}

/** One logical NDXP transaction with the platform's retry rules; returns the final response. */
async function transaction(agency: Agency, spec: CallSpec, random: Random): Promise<Response | undefined> {
  const transactionId = uuid();
  const started = Date.now();
  let res: Response | undefined;
  let result = 'error';
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const token = await agencyToken(agency, FLOW);
    if (!token) {
      result = 'no_token';
      break;
    }
    res = await http.asyncRequest(spec.method, spec.url, spec.body ?? null, {
      headers: {
        ...bearer(token),
        'X-Consumer-Code': agency.code,
        // The same id on every attempt: the platform traces one transaction, however many tries it takes.
        'X-Transaction-Id': transactionId,
        ...(spec.body ? { 'Content-Type': 'application/json' } : {}),
        ...spec.headers,
      },
      tags: { name: spec.name, flow: FLOW, provider: spec.provider, service: spec.service },
    });
    if (spec.accepted.includes(res.status)) {
      result = 'ok';
      break;
    }
    result = resultOf(res);
    if (res.status === 401) {
      dropAgencyToken(); // expired or revoked early: one retry with a fresh token
      if (attempt < MAX_ATTEMPTS) continue;
      break;
    }
    if (attempt === MAX_ATTEMPTS || !['quota', 'circuit_open', 'timeout', 'network'].includes(result)) break;
    let wait = retryAfterSeconds(header(res, 'Retry-After'));
    if (wait === undefined) {
      // Exponential back-off with full jitter: 0.5 s, 1 s, ... so retries of many clients do not align.
      wait = random.next() * 0.5 * 2 ** (attempt - 1);
    }
    if (wait > config.maxRetryWaitSeconds) break; // the platform asks for longer than this client can wait
    ndxpRetries.add(1, { provider: spec.provider, reason: result });
    await sleep(wait);
  }
  const ok = result === 'ok';
  if (res) {
    const echoed = header(res, 'X-Transaction-Id');
    check(
      res,
      {
        [`ndxp ${spec.provider}: answered`]: () => ok,
        'ndxp: transaction id echoed': () => echoed === transactionId,
      },
      { flow: FLOW, provider: spec.provider },
    );
  }
  ndxpTransactions.add(1, { provider: spec.provider, service: spec.service, result });
  ndxpSuccess.add(ok, { provider: spec.provider });
  ndxpDuration.add(Date.now() - started, { provider: spec.provider });
  return ok ? res : undefined;
}

async function lookup(agency: Agency, provider: Exclude<Provider, 'document_exchange'>, random: Random): Promise<void> {
  const base = `${config.ndxpUrl}/ndxp/v1`;
  const spec: CallSpec = (() => {
    switch (provider) {
      case 'population': {
        const { cccd } = makeCitizen(random);
        return {
          provider,
          service: 'citizen',
          method: 'GET',
          url: `${base}/population/citizens/${cccd}`,
          name: '/ndxp/v1/population/citizens/:cccd',
          accepted: [200, 404],
        };
      }
      case 'social_insurance': {
        const { cccd } = makeCitizen(random);
        return {
          provider,
          service: 'participant',
          method: 'GET',
          url: `${base}/social-insurance/participants/${cccd}`,
          name: '/ndxp/v1/social-insurance/participants/:cccd',
          accepted: [200, 404],
        };
      }
      case 'business_registry':
        return {
          provider,
          service: 'enterprise',
          method: 'GET',
          url: `${base}/business-registry/enterprises/${makeTaxCode(random)}`,
          name: '/ndxp/v1/business-registry/enterprises/:taxCode',
          accepted: [200, 404],
        };
      case 'land':
        return {
          provider,
          service: 'parcel',
          method: 'GET',
          url: `${base}/land/parcels/${encodeURIComponent(makeParcelId(random))}`,
          name: '/ndxp/v1/land/parcels/:parcelId',
          accepted: [200, 404],
        };
    }
  })();
  await transaction(agency, spec, random);
}

/** The unit a VU's inbox belongs to: one reader per inbox, as each unit's document system is one client. */
export function unitCode(agency: Agency, vu: number): string {
  return `${agency.code}.${String(vu).padStart(4, '0')}`;
}

async function exchangeDocuments(agency: Agency, peer: { agency: Agency; vu: number }, random: Random): Promise<void> {
  const base = `${config.ndxpUrl}/ndxp/v1/documents`;
  const documentNumber = `${random.int(1, 9999)}/${agency.code}-VP`;
  const content = `Công văn số ${documentNumber} của ${agency.code} gửi ${peer.agency.code}: về việc phối hợp giải quyết thủ tục hành chính.`;
  const sent = await transaction(
    agency,
    {
      provider: 'document_exchange',
      service: 'send',
      method: 'POST',
      url: base,
      name: '/ndxp/v1/documents',
      body: JSON.stringify({
        to: unitCode(peer.agency, peer.vu),
        subject: 'Về việc phối hợp giải quyết thủ tục hành chính',
        documentNumber,
        content: b64encode(content),
      }),
      // Replays after a lost answer must not deliver twice: one key for all attempts.
      headers: { 'Idempotency-Key': uuid() },
      accepted: [200, 201],
    },
    random,
  );
  if (sent) ndxpDocuments.add(1, { stage: 'sent' });

  const inboxRes = await transaction(
    agency,
    {
      provider: 'document_exchange',
      service: 'inbox',
      method: 'GET',
      url: `${base}/inbox?${formEncode({ unit: unitCode(agency, vuNumber()), limit: 20 })}`,
      name: '/ndxp/v1/documents/inbox',
      accepted: [200],
    },
    random,
  );
  if (!inboxRes) return;
  const inbox = jsonBody<{ items?: Array<{ id: string }> }>(inboxRes);
  check(inboxRes, { 'ndxp inbox: items list': () => Array.isArray(inbox?.items) }, { flow: FLOW, provider: 'document_exchange' });
  for (const item of (inbox?.items ?? []).slice(0, 5)) {
    ndxpDocuments.add(1, { stage: 'received' });
    const acked = await transaction(
      agency,
      {
        provider: 'document_exchange',
        service: 'ack',
        method: 'POST',
        url: `${base}/${encodeURIComponent(item.id)}/ack`,
        name: '/ndxp/v1/documents/:id/ack',
        body: '{}',
        accepted: [200],
      },
      random,
    );
    if (acked) ndxpDocuments.add(1, { stage: 'acknowledged' });
  }
}

/** One NDXP interaction of the VU's agency system, drawn from NDXP_MIX. */
export async function ndxpInteraction(agency: Agency, random: Random, peerAgency: (vu: number) => Agency): Promise<void> {
  const provider = random.weighted(NDXP_MIX);
  if (provider === 'document_exchange') {
    // Lower VU numbers always exist, so every addressed inbox has a reader.
    const peerVu = random.int(1, Math.max(1, vuNumber()));
    await exchangeDocuments(agency, { agency: peerAgency(peerVu), vu: peerVu }, random);
  } else {
    await lookup(agency, provider, random);
  }
}
