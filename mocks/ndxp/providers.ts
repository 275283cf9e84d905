import { citizenFromCccd } from '../shared/citizens.ts';
import { hashString, integerBetween, pick, seededRandom } from '../shared/deterministic.ts';
import { PROVINCE_CODES, PROVINCES } from '../shared/provinces.ts';

/** Deterministic records of the national databases behind NDXP. */

export function populationRecord(cccd: string) {
  const citizen = citizenFromCccd(cccd);
  return {
    cccd,
    fullName: citizen.fullName,
    gender: citizen.gender,
    birthDate: citizen.birthDate,
    nationality: 'Việt Nam',
    ethnicity: 'Kinh',
    provinceCode: citizen.provinceCode,
    provinceName: citizen.provinceName,
    permanentAddress: citizen.address,
    status: 'alive',
  };
}

const ENTERPRISE_TYPES = [
  'Công ty TNHH một thành viên',
  'Công ty TNHH hai thành viên trở lên',
  'Công ty cổ phần',
  'Doanh nghiệp tư nhân',
  'Hợp tác xã',
];
const TRADES = ['Thương mại', 'Xây dựng', 'Vận tải', 'Nông sản', 'Công nghệ', 'Du lịch', 'Thủy sản', 'Dệt may', 'Cơ khí', 'Dược phẩm'];
const BRANDS = [
  'An Phát',
  'Hòa Bình',
  'Minh Long',
  'Thành Công',
  'Phú Quý',
  'Đại Việt',
  'Sao Mai',
  'Hưng Thịnh',
  'Trường Sơn',
  'Bình Minh',
  'Nam Việt',
  'Tân Tiến',
];

export function enterpriseRecord(taxCode: string) {
  const random = seededRandom(`enterprise:${taxCode}`);
  const type = pick(random, ENTERPRISE_TYPES);
  const provinceCode = PROVINCE_CODES[hashString(taxCode) % PROVINCE_CODES.length];
  const representativeId = `${provinceCode}${integerBetween(random, 0, 3)}${String(integerBetween(random, 0, 99_999_999)).padStart(8, '0')}`;
  return {
    taxCode,
    name: `${type} ${pick(random, TRADES)} ${pick(random, BRANDS)}`,
    type,
    status: random() < 0.9 ? 'active' : 'suspended',
    registeredAt: `${integerBetween(random, 1995, 2024)}-${String(integerBetween(random, 1, 12)).padStart(2, '0')}-${String(integerBetween(random, 1, 28)).padStart(2, '0')}`,
    charterCapitalVnd: integerBetween(random, 1, 500) * 100_000_000,
    legalRepresentative: { cccd: representativeId, fullName: citizenFromCccd(representativeId).fullName },
    provinceCode,
    provinceName: PROVINCES[provinceCode],
  };
}

export function socialInsuranceRecord(cccd: string) {
  const citizen = citizenFromCccd(cccd);
  const random = seededRandom(`insurance:${cccd}`);
  return {
    cccd,
    insuranceNumber: `${citizen.provinceCode.slice(1)}${String(integerBetween(random, 0, 99_999_999)).padStart(8, '0')}`,
    fullName: citizen.fullName,
    status: random() < 0.85 ? 'contributing' : 'suspended',
    contributionMonths: integerBetween(random, 0, 360),
    healthInsuranceValidUntil: `${integerBetween(random, 2025, 2027)}-12-31`,
    provinceCode: citizen.provinceCode,
  };
}

const LAND_USES = [
  'Đất ở tại đô thị',
  'Đất ở tại nông thôn',
  'Đất trồng lúa',
  'Đất trồng cây lâu năm',
  'Đất thương mại, dịch vụ',
  'Đất rừng sản xuất',
];

export function landParcelRecord(parcelId: string) {
  const random = seededRandom(`land:${parcelId}`);
  const provinceCode = PROVINCE_CODES[hashString(parcelId) % PROVINCE_CODES.length];
  const ownerId = `${provinceCode}${integerBetween(random, 0, 3)}${String(integerBetween(random, 0, 99_999_999)).padStart(8, '0')}`;
  return {
    parcelId,
    provinceCode,
    provinceName: PROVINCES[provinceCode],
    mapSheet: integerBetween(random, 1, 120),
    parcelNumber: integerBetween(random, 1, 2000),
    areaM2: Math.round(integerBetween(random, 40, 20_000) * 10) / 10,
    landUse: pick(random, LAND_USES),
    owner: { cccd: ownerId, fullName: citizenFromCccd(ownerId).fullName },
    certificateNumber: `${String.fromCharCode(65 + integerBetween(random, 0, 25))}${String.fromCharCode(65 + integerBetween(random, 0, 25))} ${String(integerBetween(random, 0, 999_999)).padStart(6, '0')}`,
  };
}
