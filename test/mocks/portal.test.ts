import { FormData, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningMocks } from '../../mocks/index.ts';
import { agencyToken, agent, http, login, metric, scrape, start } from './helpers.ts';

let mocks: RunningMocks;
let portal: string;
let token: string;
const STEP_MS = 150;

beforeAll(async () => {
  mocks = await start({
    services: ['identity', 'portal'],
    profile: 'zero-latency',
    config: { portal: { statusStepMs: STEP_MS, maxUploadBytes: 64 * 1024 } },
  });
  portal = mocks.urls.portal!;
  token = (await login(mocks.urls.identity!, '048185001234')).access_token;
});
afterAll(() => mocks.close());

const auth = () => ({ authorization: `Bearer ${token}` });
const pdf = (size: number) => Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(size - 9, 0x41)]);

async function upload(bytes: Buffer, type: string, filename = 'giay-to.pdf', field = 'file') {
  const form = new FormData();
  form.append(field, new Blob([bytes], { type }), filename);
  const response = await request(`${portal}/api/attachments`, { method: 'POST', body: form, headers: auth(), dispatcher: agent });
  const text = await response.body.text();
  return { status: response.statusCode, json: JSON.parse(text) };
}

const applicant = {
  fullName: 'Nguyễn Văn An',
  cccd: '048185001234',
  birthDate: '1985-03-02',
  phone: '0905123456',
  address: 'Số 1 Lê Lợi, Đà Nẵng',
};

describe('portal mock (DVCQG-like)', () => {
  it('searches the catalogue of ~2,000 procedures, diacritics-insensitive, with pagination', async () => {
    const all = await http('GET', `${portal}/api/procedures?pageSize=100&page=3`);
    expect(all.json.total).toBe(2000);
    expect(all.json.items).toHaveLength(100);
    expect(all.json.page).toBe(3);
    const withMarks = await http('GET', `${portal}/api/procedures?q=${encodeURIComponent('khai sinh')}&pageSize=100`);
    const without = await http('GET', `${portal}/api/procedures?q=khai%20sinh&pageSize=100&level=4`);
    expect(withMarks.json.total).toBeGreaterThan(10);
    expect(withMarks.json.items.every((p: { name: string }) => p.name.includes('khai sinh'))).toBe(true);
    expect(without.json.items.every((p: { level: number }) => p.level === 4)).toBe(true);
    const byAgency = await http('GET', `${portal}/api/procedures?agency=${encodeURIComponent('Sở Tư pháp')}&pageSize=1`);
    expect(byAgency.json.items[0].agencyCode).toBe('STP');
    const detail = await http('GET', `${portal}/api/procedures/${all.json.items[0].code}`);
    expect(detail.json).toMatchObject({ code: all.json.items[0].code, processingDays: expect.any(Number) });
    expect(detail.json.requiredDocuments.length).toBeGreaterThan(0);
    expect((await http('GET', `${portal}/api/procedures/9.999999`)).status).toBe(404);
    expect((await http('GET', `${portal}/api/procedures?level=5`)).status).toBe(400);
  });

  it('takes an upload, a submission and a payment, and advances the status over compressed time', async () => {
    const level4 = (await http('GET', `${portal}/api/procedures?level=4&pageSize=1`)).json.items[0];
    const bytes = pdf(20_000);
    const uploaded = await upload(bytes, 'application/pdf');
    expect(uploaded.status).toBe(201);
    expect(uploaded.json).toMatchObject({ filename: 'giay-to.pdf', contentType: 'application/pdf', size: 20_000 });
    expect(uploaded.json.sha256).toBe((await import('node:crypto')).createHash('sha256').update(bytes).digest('hex'));

    const submitted = await http('POST', `${portal}/api/dossiers`, {
      headers: auth(),
      json: { procedureCode: level4.code, applicant, form: { lyDo: 'Cấp mới' }, attachmentIds: [uploaded.json.id] },
    });
    expect(submitted.status).toBe(201);
    expect(submitted.json).toMatchObject({ status: 'received', fee: level4.fee, paymentRequired: true });
    const code = submitted.json.code;
    const status = async () => (await http('GET', `${portal}/api/dossiers/${code}`, { headers: auth() })).json;
    expect(await status()).toMatchObject({ status: 'received', payment: { status: 'unpaid' } });

    const payment = await http('POST', `${portal}/api/dossiers/${code}/payments`, { headers: auth() });
    expect(payment.status).toBe(201);
    expect(payment.json).toMatchObject({ amount: level4.fee, currency: 'VND', status: 'pending' });
    expect(payment.json.payUrl).toContain(payment.json.paymentId);
    expect((await status()).payment.status).toBe('pending');

    await new Promise((resolve) => setTimeout(resolve, STEP_MS * 2 + 50));
    // Level 4: not completed before payment, however long it waits.
    expect((await status()).status).toBe('processing');
    const confirmed = await http('POST', `${portal}/api/payments/${payment.json.paymentId}/confirm`, {
      headers: auth(),
      json: { result: 'success' },
    });
    expect(confirmed.json).toEqual({ paymentId: payment.json.paymentId, status: 'paid' });
    await new Promise((resolve) => setTimeout(resolve, STEP_MS + 50));
    const finished = await status();
    expect(finished).toMatchObject({ status: 'completed', payment: { id: payment.json.paymentId, status: 'paid' } });
    expect(finished.history.map((h: { status: string }) => h.status)).toEqual(['received', 'processing', 'completed']);
    expect((await http('POST', `${portal}/api/dossiers/${code}/payments`, { headers: auth() })).json.error).toBe('already_paid');

    const series = await scrape(portal);
    expect(metric(series, 'loadlab_dossiers_submitted_total', { level: '4' })).toBe(1);
    expect(metric(series, 'loadlab_payments_total', { result: 'success' })).toBe(1);
    expect(
      metric(series, 'loadlab_http_requests_total', { route: '/api/dossiers/:code', method: 'GET', status: '200' }),
    ).toBeGreaterThanOrEqual(4);
  });

  it('completes a level-3 dossier without payment and refuses to charge it', async () => {
    const level3 = (await http('GET', `${portal}/api/procedures?level=3&pageSize=1`)).json.items[0];
    const submitted = await http('POST', `${portal}/api/dossiers`, {
      headers: auth(),
      json: { procedureCode: level3.code, applicant, form: {}, attachmentIds: [] },
    });
    expect(submitted.json.paymentRequired).toBe(false);
    expect((await http('POST', `${portal}/api/dossiers/${submitted.json.code}/payments`, { headers: auth() })).status).toBe(409);
    await new Promise((resolve) => setTimeout(resolve, STEP_MS * 2 + 50));
    const done = await http('GET', `${portal}/api/dossiers/${submitted.json.code}`, { headers: auth() });
    expect(done.json).toMatchObject({ status: 'completed', payment: { status: 'not_required' } });
  });

  it('refuses bad uploads, foreign attachments, other users and machine tokens', async () => {
    expect((await upload(Buffer.from('MZ\x90\x00 not a document'), 'application/x-msdownload', 'virus.exe')).status).toBe(415);
    const spoofed = await upload(Buffer.from('GIF89a pretending'), 'image/png', 'a.png');
    expect(spoofed.status).toBe(415);
    expect(spoofed.json.message).toMatch(/signature/);
    const tooBig = await upload(pdf(70 * 1024), 'application/pdf');
    expect(tooBig.status).toBe(413);
    expect((await upload(pdf(100), 'application/pdf', 'x.pdf', 'document')).status).toBe(400);

    const otherCitizen = (await login(mocks.urls.identity!, '001170000001')).access_token;
    const mine = await upload(pdf(1000), 'application/pdf');
    const level3 = (await http('GET', `${portal}/api/procedures?level=3&pageSize=1`)).json.items[0];
    const foreign = await http('POST', `${portal}/api/dossiers`, {
      headers: { authorization: `Bearer ${otherCitizen}` },
      json: { procedureCode: level3.code, applicant, form: {}, attachmentIds: [mine.json.id] },
    });
    expect(foreign.status).toBe(422);
    expect(foreign.json.error).toBe('unknown_attachment');
    const submitted = await http('POST', `${portal}/api/dossiers`, {
      headers: auth(),
      json: { procedureCode: level3.code, applicant, form: {}, attachmentIds: [mine.json.id] },
    });
    expect(
      (await http('GET', `${portal}/api/dossiers/${submitted.json.code}`, { headers: { authorization: `Bearer ${otherCitizen}` } })).status,
    ).toBe(404);

    const machine = await agencyToken(mocks.urls.identity!, 'H29');
    const wrongAudience = await http('POST', `${portal}/api/dossiers`, {
      headers: { authorization: `Bearer ${machine}` },
      json: { procedureCode: level3.code, applicant, form: {}, attachmentIds: [] },
    });
    expect(wrongAudience.status).toBe(401);
    expect(wrongAudience.json.message).toMatch(/audience/);
    const invalid = await http('POST', `${portal}/api/dossiers`, {
      headers: auth(),
      json: { procedureCode: level3.code, applicant: { ...applicant, cccd: '123' }, form: {}, attachmentIds: [] },
    });
    expect(invalid.status).toBe(400);
    expect(invalid.json.message).toMatch(/cccd/);
  });
});
