// Synthetic citizens, enterprises and dossier contents, deterministic from a Random source.
// Pure code (no k6 import): the scenarios and the Node tests share it.
import { PROVINCES, type Province, provinceByCode } from './provinces.ts';
import type { Random } from './random.ts';

/** Ages are computed against a fixed year, not today, so a seed gives the same data every year. */
export const REFERENCE_YEAR = 2025;

export type Gender = 'male' | 'female';

export interface Citizen {
  cccd: string;
  familyName: string;
  middleName: string;
  givenName: string;
  fullName: string;
  gender: Gender;
  birthDate: string;
  province: Province;
  address: string;
  phone: string;
  email: string;
}

// Family-name shares roughly follow the published Vietnamese surname distribution
// (Nguyễn ≈ 38 %, Trần ≈ 11 %, Lê ≈ 9.5 %, ...).
const FAMILY_NAMES: ReadonlyArray<readonly [string, number]> = [
  ['Nguyễn', 38],
  ['Trần', 11],
  ['Lê', 9.5],
  ['Phạm', 7],
  ['Hoàng', 3.5],
  ['Huỳnh', 2.5],
  ['Phan', 4.5],
  ['Vũ', 2.5],
  ['Võ', 1.5],
  ['Đặng', 2.1],
  ['Bùi', 2],
  ['Đỗ', 1.4],
  ['Hồ', 1.3],
  ['Ngô', 1.3],
  ['Dương', 1],
  ['Lý', 0.5],
  ['Đinh', 0.5],
  ['Trương', 0.5],
  ['Lương', 0.4],
  ['Mai', 0.4],
];
const MIDDLE_NAMES: Record<Gender, readonly string[]> = {
  male: ['Văn', 'Hữu', 'Đức', 'Minh', 'Quang', 'Thành', 'Công', 'Xuân', 'Anh', 'Gia'],
  female: ['Thị', 'Ngọc', 'Thu', 'Thanh', 'Phương', 'Bích', 'Kim', 'Hồng', 'Mỹ', 'Khánh'],
};
const GIVEN_NAMES: Record<Gender, readonly string[]> = {
  male: [
    'Anh',
    'Bảo',
    'Cường',
    'Dũng',
    'Đạt',
    'Hải',
    'Hiếu',
    'Hùng',
    'Huy',
    'Khoa',
    'Khánh',
    'Long',
    'Lộc',
    'Minh',
    'Nam',
    'Phúc',
    'Quân',
    'Sơn',
    'Thắng',
    'Trung',
    'Tuấn',
    'Việt',
    'Vinh',
  ],
  female: [
    'Anh',
    'Chi',
    'Dung',
    'Giang',
    'Hà',
    'Hạnh',
    'Hoa',
    'Hương',
    'Huyền',
    'Lan',
    'Linh',
    'Loan',
    'Mai',
    'Ngân',
    'Ngọc',
    'Nhung',
    'Oanh',
    'Phương',
    'Quỳnh',
    'Thảo',
    'Trang',
    'Vân',
    'Yến',
  ],
};
const STREETS = [
  'Trần Hưng Đạo',
  'Lê Lợi',
  'Nguyễn Huệ',
  'Hai Bà Trưng',
  'Lý Thường Kiệt',
  'Phan Đình Phùng',
  'Hùng Vương',
  'Điện Biên Phủ',
  'Nguyễn Trãi',
  'Quang Trung',
  'Lê Duẩn',
  'Võ Thị Sáu',
  'Nguyễn Văn Cừ',
  'Bà Triệu',
  'Trường Chinh',
  'Phạm Văn Đồng',
];
const WARDS = [
  'phường Hòa Bình',
  'phường Tân Tiến',
  'phường Quang Trung',
  'phường Thống Nhất',
  'phường Bến Thành',
  'xã Tân Phú',
  'xã Hòa Thuận',
  'xã Phước Long',
  'xã Bình Minh',
  'xã Yên Hòa',
  'xã Đông Sơn',
  'xã Ia Grai',
];
const HAMLETS = ['thôn Đông', 'thôn Trung', 'ấp Bình An', 'bản Nà Lừa', 'tổ dân phố 3', 'khu phố 5'];
// Mobile prefixes currently allocated to Vietnamese carriers.
const MOBILE_PREFIXES = [
  '032',
  '033',
  '034',
  '035',
  '036',
  '037',
  '038',
  '039',
  '056',
  '058',
  '070',
  '076',
  '077',
  '078',
  '079',
  '081',
  '082',
  '083',
  '084',
  '085',
  '086',
  '088',
  '089',
  '090',
  '091',
  '093',
  '094',
  '096',
  '097',
  '098',
];

/** Age bands weighted toward working-age adults, the people who file dossiers. */
const AGE_BANDS: ReadonlyArray<readonly [readonly [number, number], number]> = [
  [[18, 24], 14],
  [[25, 34], 26],
  [[35, 44], 24],
  [[45, 59], 24],
  [[60, 80], 12],
];

/** The century/gender digit of a CCCD (Decree 137/2015): 0/1 = 1900s male/female, 2/3 = 2000s, ... */
export function centuryGenderDigit(birthYear: number, gender: Gender): number {
  const century = Math.floor(birthYear / 100);
  const base = { 19: 0, 20: 2, 21: 4, 22: 6, 18: 8 }[century];
  if (base === undefined) throw new Error(`no CCCD century code for year ${birthYear}`);
  return base + (gender === 'female' ? 1 : 0);
}

export interface ParsedCccd {
  province: Province;
  gender: Gender;
  birthYear: number;
}

/** Parses a 12-digit CCCD and returns what it encodes, or undefined when the format is invalid. */
export function parseCccd(cccd: string): ParsedCccd | undefined {
  if (!/^\d{12}$/.test(cccd)) return undefined;
  const province = provinceByCode(cccd.slice(0, 3));
  if (!province) return undefined;
  const digit = Number(cccd[3]);
  const century = [19, 19, 20, 20, 21, 21, 22, 22, 18, 18][digit];
  return {
    province,
    gender: digit % 2 === 0 ? 'male' : 'female',
    birthYear: century * 100 + Number(cccd.slice(4, 6)),
  };
}

export function makeCccd(random: Random, province: Province, birthYear: number, gender: Gender): string {
  return province.code + centuryGenderDigit(birthYear, gender) + String(birthYear % 100).padStart(2, '0') + random.digits(6);
}

export function makeCitizen(random: Random): Citizen {
  const gender: Gender = random.chance(0.5) ? 'male' : 'female';
  const [minAge, maxAge] = random.weighted(AGE_BANDS);
  const birthYear = REFERENCE_YEAR - random.int(minAge, maxAge);
  const month = random.int(1, 12);
  const day = random.int(1, daysInMonth(birthYear, month));
  const province = random.pick(PROVINCES);
  const familyName = random.weighted(FAMILY_NAMES);
  const middleName = random.pick(MIDDLE_NAMES[gender]);
  const givenName = random.pick(GIVEN_NAMES[gender]);
  const fullName = `${familyName} ${middleName} ${givenName}`;
  return {
    cccd: makeCccd(random, province, birthYear, gender),
    familyName,
    middleName,
    givenName,
    fullName,
    gender,
    birthDate: `${birthYear}-${pad2(month)}-${pad2(day)}`,
    province,
    address: makeAddress(random, province),
    phone: random.pick(MOBILE_PREFIXES) + random.digits(7),
    email: `${asciiFold(givenName + middleName[0] + familyName[0]).toLowerCase()}${random.int(10, 9999)}@example.com`,
  };
}

export function makeAddress(random: Random, province: Province): string {
  // Since July 2025 addresses have two administrative tiers: commune/ward and province.
  const street = random.chance(0.6) ? `Số ${random.int(1, 350)} đường ${random.pick(STREETS)}` : random.pick(HAMLETS);
  return `${street}, ${random.pick(WARDS)}, ${province.name}`;
}

const TAX_CODE_WEIGHTS = [31, 29, 23, 19, 17, 13, 7, 5, 3];

/** Check digit of a 10-digit enterprise tax code (mã số thuế), or undefined when none exists. */
export function taxCodeCheckDigit(firstNine: string): string | undefined {
  let total = 0;
  for (let i = 0; i < 9; i++) total += TAX_CODE_WEIGHTS[i] * Number(firstNine[i]);
  const check = 10 - (total % 11);
  return check <= 9 ? String(check) : undefined;
}

export function isValidTaxCode(code: string): boolean {
  return /^\d{10}$/.test(code) && code.slice(2, 9) !== '0000000' && taxCodeCheckDigit(code) === code[9];
}

/** A 10-digit enterprise tax code: 2-digit province range, 7-digit sequence, check digit. */
export function makeTaxCode(random: Random): string {
  for (;;) {
    const firstNine = pad2(random.int(1, 65)) + String(random.int(1, 9_999_999)).padStart(7, '0');
    const check = taxCodeCheckDigit(firstNine);
    if (check !== undefined) return firstNine + check;
  }
}

/** A land parcel id as the land database keys it: province code, map sheet, parcel number. */
export function makeParcelId(random: Random): string {
  return `${random.pick(PROVINCES).code}-${String(random.int(1, 120)).padStart(3, '0')}-${String(random.int(1, 2500)).padStart(4, '0')}`;
}

/** Search words citizens type into the catalogue, most frequent first. */
export const CATALOGUE_QUERIES: ReadonlyArray<readonly [string, number]> = [
  ['khai sinh', 14],
  ['thường trú', 10],
  ['hộ tịch', 8],
  ['đăng ký kinh doanh', 9],
  ['giấy phép xây dựng', 7],
  ['đất đai', 8],
  ['kết hôn', 6],
  ['hộ chiếu', 6],
  ['bảo hiểm xã hội', 6],
  ['giấy phép lái xe', 7],
  ['chứng thực', 5],
  ['lý lịch tư pháp', 5],
  ['thuế', 4],
  ['', 5],
];

const PURPOSES = [
  'Bổ sung hồ sơ xin việc',
  'Hoàn thiện thủ tục vay vốn ngân hàng',
  'Đăng ký nhập học cho con',
  'Thay đổi thông tin cư trú',
  'Mở rộng hoạt động kinh doanh',
  'Làm thủ tục xuất cảnh',
  'Thực hiện giao dịch đất đai',
];
const DELIVERY_METHODS = ['online', 'post', 'at_office'] as const;

/** The form part of a dossier: what a citizen types into the procedure's online form. */
export function makeDossierForm(random: Random, procedureCode: string, applicant: Citizen): Record<string, unknown> {
  return {
    procedureCode,
    purpose: random.pick(PURPOSES),
    copies: random.int(1, 3),
    resultDelivery: random.pick(DELIVERY_METHODS),
    receivingAddress: applicant.address,
    contactPhone: applicant.phone,
    declaration: 'Tôi xin cam đoan những thông tin khai trên là đúng sự thật và chịu trách nhiệm trước pháp luật.',
    signedAt: `${applicant.province.name}, ngày ${random.int(1, 28)} tháng ${random.int(1, 12)} năm ${REFERENCE_YEAR}`,
  };
}

const FOLD: Record<string, string> = {};
for (const [plain, accented] of [
  ['a', 'àáạảãâầấậẩẫăằắặẳẵ'],
  ['e', 'èéẹẻẽêềếệểễ'],
  ['i', 'ìíịỉĩ'],
  ['o', 'òóọỏõôồốộổỗơờớợởỡ'],
  ['u', 'ùúụủũưừứựửữ'],
  ['y', 'ỳýỵỷỹ'],
  ['d', 'đ'],
] as const) {
  for (const letter of accented) {
    FOLD[letter] = plain;
    FOLD[letter.toUpperCase()] = plain.toUpperCase();
  }
}

/** Removes Vietnamese diacritics (for e-mail local parts); a table, because not every JS engine has normalize(). */
export function asciiFold(text: string): string {
  let out = '';
  for (const letter of text) out += FOLD[letter] ?? letter;
  return out;
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function pad2(value: number): string {
  return String(value).padStart(2, '0');
}
