// Synthetic data: valid formats, Vietnamese diacritics, and the same data for the same seed.
import { describe, expect, it } from 'vitest';
import { attachmentSize, createAttachmentSource, pdfPayload } from '../../scenarios/lib/attachments.ts';
import { dataError, formEncode, parseLoginForm, parseQuery, resolveUrl } from '../../scenarios/lib/html-form.ts';
import { PROVINCES } from '../../scenarios/lib/provinces.ts';
import { createRandom, randomFor } from '../../scenarios/lib/random.ts';
import {
  asciiFold,
  isValidTaxCode,
  makeCitizen,
  makeDossierForm,
  makeParcelId,
  makeTaxCode,
  parseCccd,
  REFERENCE_YEAR,
} from '../../scenarios/lib/synthetic.ts';

const citizens = (seed: string, count: number) => Array.from({ length: count }, (_, i) => makeCitizen(randomFor(seed, 'test', 1, i)));

describe('citizens', () => {
  const sample = citizens('seed-a', 2000);

  it('are the same for the same seed and differ for another seed', () => {
    expect(citizens('seed-a', 50)).toEqual(sample.slice(0, 50));
    const other = citizens('seed-b', 50);
    expect(other.filter((citizen, i) => citizen.cccd === sample[i].cccd)).toHaveLength(0);
  });

  it('have 12-digit CCCDs that encode their province, gender and birth year', () => {
    for (const citizen of sample) {
      expect(citizen.cccd).toMatch(/^\d{12}$/);
      const parsed = parseCccd(citizen.cccd);
      expect(parsed).toBeDefined();
      expect(parsed!.province).toEqual(citizen.province);
      expect(parsed!.gender).toBe(citizen.gender);
      expect(parsed!.birthYear).toBe(Number(citizen.birthDate.slice(0, 4)));
      const age = REFERENCE_YEAR - parsed!.birthYear;
      expect(age).toBeGreaterThanOrEqual(18);
      expect(age).toBeLessThanOrEqual(80);
    }
    // Both centuries and both genders occur, with the digit rules of Decree 137/2015.
    const digits = new Set(sample.map((citizen) => citizen.cccd[3]));
    expect([...digits].sort()).toEqual(['0', '1', '2', '3']);
    expect(new Set(sample.map((citizen) => citizen.cccd)).size).toBe(sample.length);
  });

  it('rejects malformed CCCDs', () => {
    expect(parseCccd('12345678901')).toBeUndefined(); // 11 digits
    expect(parseCccd('003090123456')).toBeUndefined(); // 003 is no province code
    expect(parseCccd('07909012345a')).toBeUndefined();
    expect(parseCccd('079090123456')).toMatchObject({ gender: 'male', birthYear: 1990, province: { name: 'Thành phố Hồ Chí Minh' } });
    expect(parseCccd('001305123456')).toMatchObject({ gender: 'female', birthYear: 2005 });
  });

  it('have Vietnamese names, valid dates, addresses, phones and ASCII e-mails', () => {
    const families = new Set(sample.map((citizen) => citizen.familyName));
    expect(families.has('Nguyễn')).toBe(true);
    const nguyen = sample.filter((citizen) => citizen.familyName === 'Nguyễn').length / sample.length;
    expect(nguyen).toBeGreaterThan(0.3);
    expect(nguyen).toBeLessThan(0.46);
    expect(sample.some((citizen) => /[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]/i.test(citizen.fullName))).toBe(true);
    for (const citizen of sample) {
      expect(citizen.fullName).toBe(`${citizen.familyName} ${citizen.middleName} ${citizen.givenName}`);
      const date = new Date(`${citizen.birthDate}T00:00:00Z`);
      expect(date.toISOString().slice(0, 10)).toBe(citizen.birthDate);
      expect(citizen.address.endsWith(citizen.province.name)).toBe(true);
      expect(citizen.phone).toMatch(/^0[35789]\d{8}$/);
      expect(citizen.email).toMatch(/^[a-z0-9]+@example\.com$/);
    }
    expect(citizen0Middle(sample)).toBe(true);
  });

  it('cover all 63 birth-registration provinces', () => {
    expect(PROVINCES).toHaveLength(63);
    expect(new Set(PROVINCES.map((province) => province.code)).size).toBe(63);
    expect(new Set(sample.map((citizen) => citizen.province.code)).size).toBe(63);
  });
});

function citizen0Middle(sample: ReturnType<typeof citizens>): boolean {
  // Women's middle name "Thị" and men's "Văn" both appear.
  return sample.some((citizen) => citizen.middleName === 'Thị') && sample.some((citizen) => citizen.middleName === 'Văn');
}

describe('tax codes', () => {
  it('match the tax authority check digit (published examples)', () => {
    expect(isValidTaxCode('0100233488')).toBe(true);
    expect(isValidTaxCode('0314409058')).toBe(true);
    expect(isValidTaxCode('0100233480')).toBe(false);
    expect(isValidTaxCode('010023348')).toBe(false);
  });

  it('are generated valid and deterministic', () => {
    const codes = Array.from({ length: 500 }, (_, i) => makeTaxCode(randomFor('s', 'tax', 1, i)));
    for (const code of codes) expect(isValidTaxCode(code), code).toBe(true);
    expect(Array.from({ length: 500 }, (_, i) => makeTaxCode(randomFor('s', 'tax', 1, i)))).toEqual(codes);
  });
});

describe('other generated data', () => {
  it('land parcel ids use a province code, a map sheet and a parcel number', () => {
    const random = createRandom(7);
    for (let i = 0; i < 100; i++) expect(makeParcelId(random)).toMatch(/^\d{3}-\d{3}-\d{4}$/);
  });

  it('dossier forms carry the applicant and a Vietnamese declaration', () => {
    const citizen = makeCitizen(createRandom(1));
    const form = makeDossierForm(createRandom(2), '1.001234', citizen);
    expect(form).toMatchObject({ procedureCode: '1.001234', receivingAddress: citizen.address, contactPhone: citizen.phone });
    expect(String(form.declaration)).toContain('cam đoan');
    expect(makeDossierForm(createRandom(2), '1.001234', citizen)).toEqual(form);
  });

  it('asciiFold strips Vietnamese diacritics', () => {
    expect(asciiFold('Nguyễn Thị Đoàn Hương')).toBe('Nguyen Thi Doan Huong');
  });

  it('attachments are PDF-like, exactly the requested size, 100 KB–2 MB', () => {
    const random = createRandom(3);
    const source = createAttachmentSource(random, 2048 * 1024);
    const sizes = Array.from({ length: 300 }, () => attachmentSize(random, 100, 2048));
    expect(Math.min(...sizes)).toBeGreaterThanOrEqual(100 * 1024);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(2048 * 1024);
    expect(sizes.filter((size) => size < 500 * 1024).length).toBeGreaterThan(sizes.length / 3);
    for (const size of [100 * 1024, 777_777, 2048 * 1024]) {
      const pdf = pdfPayload(source, size, 'CCCD');
      expect(pdf.length).toBe(size);
      expect(Buffer.byteLength(pdf)).toBe(size);
      expect(pdf.startsWith('%PDF-1.7\n')).toBe(true);
      expect(pdf.endsWith('%%EOF\n')).toBe(true);
    }
  });
});

describe('login form parsing', () => {
  const page = `<!doctype html><html><body><main data-error="invalid_credentials">
    <form class="login" method="POST" action="/authorize?x=1&amp;y=2">
      <input name="request_id" type="hidden" value="req-123">
      <input type='hidden' value='a&quot;b&#39;c&#x41;' name='csrf_token'/>
      <input type="text" name="username" value="">
      <input type="password" name="password">
    </form><form action="/other"><input type="hidden" name="ignored" value="1"></form></body></html>`;

  it('reads the first form, its hidden inputs (any attribute order, entities decoded) and the error marker', () => {
    expect(parseLoginForm(page)).toEqual({
      action: '/authorize?x=1&y=2',
      method: 'post',
      hidden: { request_id: 'req-123', csrf_token: `a"b'cA` },
      error: 'invalid_credentials',
    });
    expect(parseLoginForm('<p>no form</p>')).toBeUndefined();
    expect(dataError("<div data-error='account_locked'>")).toBe('account_locked');
  });

  it('resolves actions and redirects and decodes query strings', () => {
    expect(resolveUrl('/authorize', 'http://127.0.0.1:7101/authorize?a=b')).toBe('http://127.0.0.1:7101/authorize');
    expect(resolveUrl('login', 'http://127.0.0.1:7101/sso/authorize?a=b')).toBe('http://127.0.0.1:7101/sso/login');
    expect(resolveUrl('https://sso.example/cb', 'http://127.0.0.1:7101/x')).toBe('https://sso.example/cb');
    expect(parseQuery('http://127.0.0.1:7102/auth/callback?code=abc%2Bd&state=s+1#frag')).toEqual({ code: 'abc+d', state: 's 1' });
    expect(formEncode({ a: 'x y', b: undefined, c: 'đ&=' })).toBe('a=x%20y&c=%C4%91%26%3D');
  });
});
