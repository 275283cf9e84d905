// Province codes as used in the first three digits of the 12-digit citizen ID (CCCD), per the
// Ministry of Public Security's code table (Thông tư 07/2016/TT-BCA, kept by Thông tư 59/2021/TT-BCA).
// Citizens keep the code of their birth registration province, so the 63 pre-2025 provinces
// remain the valid set even after the July 2025 merger into 34 provinces.
export interface Province {
  code: string;
  name: string;
}

export const PROVINCES: readonly Province[] = [
  { code: '001', name: 'Thành phố Hà Nội' },
  { code: '002', name: 'Tỉnh Hà Giang' },
  { code: '004', name: 'Tỉnh Cao Bằng' },
  { code: '006', name: 'Tỉnh Bắc Kạn' },
  { code: '008', name: 'Tỉnh Tuyên Quang' },
  { code: '010', name: 'Tỉnh Lào Cai' },
  { code: '011', name: 'Tỉnh Điện Biên' },
  { code: '012', name: 'Tỉnh Lai Châu' },
  { code: '014', name: 'Tỉnh Sơn La' },
  { code: '015', name: 'Tỉnh Yên Bái' },
  { code: '017', name: 'Tỉnh Hòa Bình' },
  { code: '019', name: 'Tỉnh Thái Nguyên' },
  { code: '020', name: 'Tỉnh Lạng Sơn' },
  { code: '022', name: 'Tỉnh Quảng Ninh' },
  { code: '024', name: 'Tỉnh Bắc Giang' },
  { code: '025', name: 'Tỉnh Phú Thọ' },
  { code: '026', name: 'Tỉnh Vĩnh Phúc' },
  { code: '027', name: 'Tỉnh Bắc Ninh' },
  { code: '030', name: 'Tỉnh Hải Dương' },
  { code: '031', name: 'Thành phố Hải Phòng' },
  { code: '033', name: 'Tỉnh Hưng Yên' },
  { code: '034', name: 'Tỉnh Thái Bình' },
  { code: '035', name: 'Tỉnh Hà Nam' },
  { code: '036', name: 'Tỉnh Nam Định' },
  { code: '037', name: 'Tỉnh Ninh Bình' },
  { code: '038', name: 'Tỉnh Thanh Hóa' },
  { code: '040', name: 'Tỉnh Nghệ An' },
  { code: '042', name: 'Tỉnh Hà Tĩnh' },
  { code: '044', name: 'Tỉnh Quảng Bình' },
  { code: '045', name: 'Tỉnh Quảng Trị' },
  { code: '046', name: 'Tỉnh Thừa Thiên Huế' },
  { code: '048', name: 'Thành phố Đà Nẵng' },
  { code: '049', name: 'Tỉnh Quảng Nam' },
  { code: '051', name: 'Tỉnh Quảng Ngãi' },
  { code: '052', name: 'Tỉnh Bình Định' },
  { code: '054', name: 'Tỉnh Phú Yên' },
  { code: '056', name: 'Tỉnh Khánh Hòa' },
  { code: '058', name: 'Tỉnh Ninh Thuận' },
  { code: '060', name: 'Tỉnh Bình Thuận' },
  { code: '062', name: 'Tỉnh Kon Tum' },
  { code: '064', name: 'Tỉnh Gia Lai' },
  { code: '066', name: 'Tỉnh Đắk Lắk' },
  { code: '067', name: 'Tỉnh Đắk Nông' },
  { code: '068', name: 'Tỉnh Lâm Đồng' },
  { code: '070', name: 'Tỉnh Bình Phước' },
  { code: '072', name: 'Tỉnh Tây Ninh' },
  { code: '074', name: 'Tỉnh Bình Dương' },
  { code: '075', name: 'Tỉnh Đồng Nai' },
  { code: '077', name: 'Tỉnh Bà Rịa - Vũng Tàu' },
  { code: '079', name: 'Thành phố Hồ Chí Minh' },
  { code: '080', name: 'Tỉnh Long An' },
  { code: '082', name: 'Tỉnh Tiền Giang' },
  { code: '083', name: 'Tỉnh Bến Tre' },
  { code: '084', name: 'Tỉnh Trà Vinh' },
  { code: '086', name: 'Tỉnh Vĩnh Long' },
  { code: '087', name: 'Tỉnh Đồng Tháp' },
  { code: '089', name: 'Tỉnh An Giang' },
  { code: '091', name: 'Tỉnh Kiên Giang' },
  { code: '092', name: 'Thành phố Cần Thơ' },
  { code: '093', name: 'Tỉnh Hậu Giang' },
  { code: '094', name: 'Tỉnh Sóc Trăng' },
  { code: '095', name: 'Tỉnh Bạc Liêu' },
  { code: '096', name: 'Tỉnh Cà Mau' },
];

const byCode = new Map(PROVINCES.map((province) => [province.code, province]));

export function provinceByCode(code: string): Province | undefined {
  return byCode.get(code);
}
