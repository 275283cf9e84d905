// A logged-in citizen files a dossier on the portal: catalogue search, procedure detail, scans
// uploaded, form submitted, fee paid for level-4 (full-process) services, then status polled.
import { check, sleep } from 'k6';
import http from 'k6/http';
import { Counter, Rate, Trend } from 'k6/metrics';
import { type AttachmentSource, attachmentSize, createAttachmentSource, pdfPayload } from './attachments.ts';
import { citizenSession, dropCitizenSession } from './citizen-session.ts';
import { config } from './config.ts';
import { formEncode } from './html-form.ts';
import { bearer, failureReason, jsonBody, type Response, think } from './http-util.ts';
import { type Random, randomFor } from './random.ts';
import { CATALOGUE_QUERIES, makeDossierForm } from './synthetic.ts';
import { vuNumber } from './vu.ts';

/** From the first upload to the dossier accepted: what the citizen waits for after pressing "Nộp hồ sơ". */
export const dossierSubmitDuration = new Trend('dossier_submit_duration', true);
export const dossierSubmitSuccess = new Rate('dossier_submit_success');
/** Dossiers accepted by the portal, by procedure `level`. */
export const dossiersSubmitted = new Counter('dossiers_submitted');
/** Failed submissions by `step` and `reason`. */
export const dossierFailures = new Counter('dossier_failures');
/** Fee payments by `result` (paid, failed, http_xxx). */
export const payments = new Counter('dossier_payments');
/** Last status seen while polling, by `status`. */
export const dossierStatusSeen = new Counter('dossier_status_seen');

const FLOW = 'submission';
/** Share of dossiers filed for level-4 (full-process, paid online) procedures: 47.79 % nationally (DOMAIN.md). */
export const LEVEL4_SHARE = 0.4779;
const MAX_STATUS_POLLS = 4;
const KNOWN_STATUSES = ['received', 'processing', 'completed', 'rejected', 'additional_info_required'];

interface ProcedureSummary {
  code: string;
  name: string;
  level: number;
  fee: number;
}
interface ProcedureDetail extends ProcedureSummary {
  requiredDocuments?: Array<{ type: string; name: string }>;
}

let attachmentSource: AttachmentSource | undefined;

function attachments(): AttachmentSource {
  attachmentSource ??= createAttachmentSource(randomFor(config.seed, 'attachments', vuNumber(), 0), config.attachmentMaxKb * 1024);
  return attachmentSource;
}

/** The session's access token, renewed first if it is about to expire: long flows outlive short tokens. */
async function accessToken(): Promise<string | undefined> {
  return (await citizenSession())?.tokens.accessToken;
}

function fail(step: string, res: Response | undefined, reason?: string): void {
  if (res?.status === 401) dropCitizenSession();
  dossierFailures.add(1, { step, reason: reason ?? (res ? failureReason(res) : 'unknown') });
  dossierSubmitSuccess.add(false);
}

async function searchCatalogue(random: Random, level: number): Promise<ProcedureSummary[]> {
  const query = random.weighted(CATALOGUE_QUERIES);
  // A query with no hit sends the citizen back to browsing the whole level, as the portal suggests.
  for (const q of query === '' ? [''] : [query, '']) {
    const res = await http.asyncRequest(
      'GET',
      `${config.portalUrl}/api/procedures?${formEncode({ q, level, page: 1, pageSize: 20 })}`,
      null,
      { tags: { name: '/api/procedures', flow: FLOW } },
    );
    const page = jsonBody<{ items?: ProcedureSummary[] }>(res);
    check(res, { 'catalogue: 200 with items list': (r) => r.status === 200 && Array.isArray(page?.items) }, { flow: FLOW });
    if (res.status !== 200) {
      fail('search', res);
      return [];
    }
    if (page?.items && page.items.length > 0) return page.items;
  }
  fail('search', undefined, 'no_procedure_found');
  return [];
}

async function uploadAttachment(random: Random, documentType: string): Promise<string | undefined> {
  const token = await accessToken();
  if (!token) return undefined;
  const payload = pdfPayload(attachments(), attachmentSize(random, config.attachmentMinKb, config.attachmentMaxKb), documentType);
  const res = await http.asyncRequest(
    'POST',
    `${config.portalUrl}/api/attachments`,
    { file: http.file(payload, `${documentType}.pdf`, 'application/pdf') },
    { headers: bearer(token), tags: { name: '/api/attachments', flow: FLOW } },
  );
  const stored = jsonBody<{ id?: string; size?: number }>(res);
  const ok = check(
    res,
    {
      'attachment: 201': (r) => r.status === 201,
      'attachment: stored whole': () => stored?.size === payload.length && !!stored.id,
    },
    { flow: FLOW },
  );
  if (!ok || !stored?.id) {
    fail('attachment', res, res.status === 201 ? 'size_mismatch' : undefined);
    return undefined;
  }
  return stored.id;
}

async function payFee(random: Random, dossierCode: string): Promise<void> {
  await think(random, 2, 5);
  let token = await accessToken();
  if (!token) return;
  const started = await http.asyncRequest('POST', `${config.portalUrl}/api/dossiers/${encodeURIComponent(dossierCode)}/payments`, '{}', {
    headers: { ...bearer(token), 'Content-Type': 'application/json' },
    tags: { name: '/api/dossiers/:code/payments', flow: FLOW },
  });
  const payment = jsonBody<{ paymentId?: string; amount?: number }>(started);
  if (
    !check(started, { 'payment: 201 with an id': (r) => r.status === 201 && !!payment?.paymentId }, { flow: FLOW }) ||
    !payment?.paymentId
  ) {
    payments.add(1, { result: failureReason(started) });
    return;
  }
  // The citizen pays on the national payment platform, which then calls the portal back.
  await think(random, 3, 8);
  token = (await accessToken()) ?? token;
  const confirmed = await http.asyncRequest(
    'POST',
    `${config.portalUrl}/api/payments/${encodeURIComponent(payment.paymentId)}/confirm`,
    JSON.stringify({ result: 'success' }),
    { headers: { ...bearer(token), 'Content-Type': 'application/json' }, tags: { name: '/api/payments/:id/confirm', flow: FLOW } },
  );
  const outcome = jsonBody<{ status?: string }>(confirmed);
  check(confirmed, { 'payment: confirmed as paid': (r) => r.status === 200 && outcome?.status === 'paid' }, { flow: FLOW });
  payments.add(1, { result: confirmed.status === 200 ? (outcome?.status ?? 'unknown') : failureReason(confirmed) });
}

async function pollStatus(dossierCode: string): Promise<void> {
  // Exponential back-off, as the portal's status page refreshes: 1 s, 2 s, 4 s, 8 s (times THINK).
  let waitSeconds = Math.max(0.1, config.think);
  let status = 'unknown';
  for (let poll = 0; poll < MAX_STATUS_POLLS; poll++) {
    await sleep(waitSeconds);
    const token = await accessToken();
    if (!token) {
      status = 'session_lost';
      break;
    }
    const res = await http.asyncRequest('GET', `${config.portalUrl}/api/dossiers/${encodeURIComponent(dossierCode)}`, null, {
      headers: bearer(token),
      tags: { name: '/api/dossiers/:code', flow: FLOW },
    });
    const dossier = jsonBody<{ code?: string; status?: string }>(res);
    check(
      res,
      { 'status: 200 with a known status': (r) => r.status === 200 && KNOWN_STATUSES.includes(dossier?.status ?? '') },
      { flow: FLOW },
    );
    if (res.status !== 200) {
      status = failureReason(res);
      break;
    }
    status = dossier?.status ?? 'unknown';
    if (status === 'completed' || status === 'rejected') break;
    waitSeconds = Math.min(waitSeconds * 2, 8);
  }
  dossierStatusSeen.add(1, { status });
}

/** One dossier from search to status, by the VU's citizen. */
export async function fileDossier(random: Random): Promise<void> {
  const session = await citizenSession();
  if (!session) return; // login_failures already says why

  const level = random.chance(LEVEL4_SHARE) ? 4 : 3;
  const found = await searchCatalogue(random, level);
  if (found.length === 0) return;
  await think(random, 2, 5);

  const chosen = random.pick(found);
  const detailRes = await http.asyncRequest('GET', `${config.portalUrl}/api/procedures/${encodeURIComponent(chosen.code)}`, null, {
    tags: { name: '/api/procedures/:code', flow: FLOW },
  });
  const procedure = jsonBody<ProcedureDetail>(detailRes);
  if (
    !check(detailRes, { 'procedure: 200, the one chosen': (r) => r.status === 200 && procedure?.code === chosen.code }, { flow: FLOW }) ||
    !procedure
  ) {
    fail('procedure', detailRes);
    return;
  }
  await think(random, 3, 8);

  const { citizen, userinfo } = session;
  const started = Date.now();
  const required = procedure.requiredDocuments ?? [];
  const count = random.int(1, Math.min(3, Math.max(1, required.length)));
  const attachmentIds: string[] = [];
  for (let i = 0; i < count; i++) {
    const documentType = (required[i]?.type ?? `scan-${i + 1}`).replace(/[^A-Za-z0-9_-]/g, '_');
    const id = await uploadAttachment(random, documentType);
    if (!id) return;
    attachmentIds.push(id);
  }
  const token = await accessToken();
  if (!token) return;
  const submitted = await http.asyncRequest(
    'POST',
    `${config.portalUrl}/api/dossiers`,
    JSON.stringify({
      procedureCode: procedure.code,
      applicant: {
        fullName: typeof userinfo.name === 'string' ? userinfo.name : citizen.fullName,
        cccd: typeof userinfo.cccd === 'string' ? userinfo.cccd : citizen.cccd,
        birthDate: typeof userinfo.birthdate === 'string' ? userinfo.birthdate : citizen.birthDate,
        phone: citizen.phone,
        email: citizen.email,
        address: typeof userinfo.address === 'string' ? userinfo.address : citizen.address,
      },
      form: makeDossierForm(random, procedure.code, citizen),
      attachmentIds,
    }),
    { headers: { ...bearer(token), 'Content-Type': 'application/json' }, tags: { name: '/api/dossiers', flow: FLOW } },
  );
  const dossier = jsonBody<{ code?: string; status?: string; paymentRequired?: boolean }>(submitted);
  const ok = check(
    submitted,
    {
      'dossier: 201': (r) => r.status === 201,
      'dossier: received with a code': () => dossier?.status === 'received' && !!dossier.code,
    },
    { flow: FLOW },
  );
  if (!ok || !dossier?.code) {
    fail('submit', submitted);
    return;
  }
  dossierSubmitDuration.add(Date.now() - started);
  dossierSubmitSuccess.add(true);
  dossiersSubmitted.add(1, { level: String(procedure.level) });

  if (dossier.paymentRequired) await payFee(random, dossier.code);
  await pollStatus(dossier.code);
}
