import { BoundedStore } from './bounded-store.ts';
import { hashString, integerBetween, pick, seededRandom } from './deterministic.ts';
import { PROVINCE_CODES, PROVINCES } from './provinces.ts';

export const CCCD_PATTERN = '^[0-9]{12}$';

export interface Citizen {
  cccd: string;
  fullName: string;
  familyName: string;
  givenName: string;
  gender: 'male' | 'female';
  birthDate: string;
  provinceCode: string;
  provinceName: string;
  address: string;
  phone: string;
  assuranceLevel: 1 | 2;
}

const FAMILY_NAMES = [
  'Nguyễn',
  'Nguyễn',
  'Nguyễn',
  'Trần',
  'Lê',
  'Phạm',
  'Hoàng',
  'Huỳnh',
  'Phan',
  'Vũ',
  'Võ',
  'Đặng',
  'Bùi',
  'Đỗ',
  'Hồ',
  'Ngô',
  'Dương',
  'Lý',
];
const MIDDLE = {
  male: ['Văn', 'Hữu', 'Đức', 'Minh', 'Quang', 'Công', 'Thành', 'Xuân'],
  female: ['Thị', 'Ngọc', 'Thu', 'Thanh', 'Kim', 'Mỹ', 'Phương', 'Hồng'],
};
const GIVEN = {
  male: [
    'An',
    'Bảo',
    'Cường',
    'Dũng',
    'Đạt',
    'Hải',
    'Hiếu',
    'Hùng',
    'Huy',
    'Khánh',
    'Long',
    'Nam',
    'Phong',
    'Phúc',
    'Quân',
    'Sơn',
    'Tâm',
    'Thắng',
    'Toàn',
    'Trung',
    'Tuấn',
    'Việt',
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
    'Lan',
    'Linh',
    'Mai',
    'My',
    'Nga',
    'Ngân',
    'Nhung',
    'Oanh',
    'Phượng',
    'Quỳnh',
    'Thảo',
    'Trang',
    'Vân',
    'Yến',
  ],
};
const STREETS = [
  'Lê Lợi',
  'Trần Hưng Đạo',
  'Nguyễn Huệ',
  'Hai Bà Trưng',
  'Lý Thường Kiệt',
  'Quang Trung',
  'Phan Chu Trinh',
  'Điện Biên Phủ',
  'Hùng Vương',
  'Nguyễn Trãi',
];
const WARDS = ['Phường 1', 'Phường 2', 'Phường Tân Lập', 'Phường Hòa Bình', 'Xã Tân Phú', 'Xã Phú Mỹ', 'Xã An Bình', 'Thị trấn Trung Tâm'];

/**
 * The synthetic citizen behind any 12-digit CCCD, the same on every run. As on a real CCCD: digits 1–3 are the
 * province of birth registration (codes that are no province map onto one deterministically), digit 4 gives
 * century and gender (0/1: 1900s male/female, 2/3: 2000s, 4/5: 2100s, 6/7: 2200s, 8/9: 1800s), digits 5–6 the
 * year; a year that would lie in the future falls back to the 1900s.
 */
export function citizenFromCccd(cccd: string): Citizen {
  let citizen = recentCitizens.get(cccd);
  if (!citizen) {
    citizen = Object.freeze(buildCitizen(cccd));
    recentCitizens.set(cccd, citizen);
  }
  return citizen;
}

/** Load tests ask for the same citizens again and again; building one costs more than serving the request. */
// A cache of derived data shared by all services, not state: bounded, but not one of a service's metered stores.
const recentCitizens = new BoundedStore<string, Citizen>(
  'citizens',
  { maxEntries: 20_000, maxBytes: 32 * 1024 * 1024 },
  { sizeOf: () => 1200 },
);

function buildCitizen(cccd: string): Citizen {
  const random = seededRandom(cccd);
  const prefix = cccd.slice(0, 3);
  const provinceCode = PROVINCES[prefix] ? prefix : PROVINCE_CODES[hashString(prefix) % PROVINCE_CODES.length];
  const centuryDigit = Number(cccd[3]);
  const gender = centuryDigit % 2 === 0 ? 'male' : 'female';
  const century = [1900, 1900, 2000, 2000, 2100, 2100, 2200, 2200, 1800, 1800][centuryDigit];
  let year = century + Number(cccd.slice(4, 6));
  if (year > new Date().getUTCFullYear()) year = 1900 + Number(cccd.slice(4, 6));
  const month = integerBetween(random, 1, 12);
  const day = integerBetween(random, 1, 28);
  const familyName = pick(random, FAMILY_NAMES);
  const givenName = `${pick(random, MIDDLE[gender])} ${pick(random, GIVEN[gender])}`;
  const provinceName = PROVINCES[provinceCode];
  return {
    cccd,
    fullName: `${familyName} ${givenName}`,
    familyName,
    givenName,
    gender,
    birthDate: `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`,
    provinceCode,
    provinceName,
    address: `Số ${integerBetween(random, 1, 250)} đường ${pick(random, STREETS)}, ${pick(random, WARDS)}, ${provinceName}`,
    phone: `09${String(integerBetween(random, 0, 99_999_999)).padStart(8, '0')}`,
    assuranceLevel: random() < 0.8 ? 2 : 1,
  };
}
