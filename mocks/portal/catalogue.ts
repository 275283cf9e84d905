import { integerBetween, pick, seededRandom } from '../shared/deterministic.ts';

export interface Procedure {
  code: string;
  name: string;
  agency: string;
  agencyCode: string;
  level: 3 | 4;
  fee: number;
  field: string;
  processingDays: number;
  requiredDocuments: { type: string; name: string }[];
}

interface Field {
  field: string;
  agency: string;
  agencyCode: string;
  names: string[];
}

const FIELDS: Field[] = [
  {
    field: 'Hộ tịch',
    agency: 'Sở Tư pháp',
    agencyCode: 'STP',
    names: [
      'Đăng ký khai sinh',
      'Đăng ký kết hôn',
      'Đăng ký khai tử',
      'Cấp bản sao trích lục hộ tịch',
      'Đăng ký nhận cha, mẹ, con',
      'Đăng ký thay đổi, cải chính hộ tịch',
      'Cấp Giấy xác nhận tình trạng hôn nhân',
      'Đăng ký giám hộ',
    ],
  },
  {
    field: 'Chứng thực',
    agency: 'Sở Tư pháp',
    agencyCode: 'STP',
    names: [
      'Chứng thực bản sao từ bản chính',
      'Chứng thực chữ ký trong giấy tờ, văn bản',
      'Chứng thực hợp đồng, giao dịch',
      'Cấp Phiếu lý lịch tư pháp',
    ],
  },
  {
    field: 'Đất đai',
    agency: 'Sở Tài nguyên và Môi trường',
    agencyCode: 'STNMT',
    names: [
      'Cấp Giấy chứng nhận quyền sử dụng đất lần đầu',
      'Đăng ký biến động quyền sử dụng đất',
      'Chuyển mục đích sử dụng đất',
      'Tách thửa hoặc hợp thửa đất',
      'Gia hạn sử dụng đất',
      'Xóa đăng ký thế chấp quyền sử dụng đất',
      'Đính chính Giấy chứng nhận đã cấp',
    ],
  },
  {
    field: 'Môi trường',
    agency: 'Sở Tài nguyên và Môi trường',
    agencyCode: 'STNMT',
    names: [
      'Cấp giấy phép môi trường',
      'Thẩm định báo cáo đánh giá tác động môi trường',
      'Cấp giấy phép khai thác nước dưới đất',
      'Đăng ký môi trường',
    ],
  },
  {
    field: 'Xây dựng',
    agency: 'Sở Xây dựng',
    agencyCode: 'SXD',
    names: [
      'Cấp giấy phép xây dựng nhà ở riêng lẻ',
      'Cấp giấy phép sửa chữa, cải tạo công trình',
      'Cấp giấy phép di dời công trình',
      'Thẩm định thiết kế xây dựng triển khai sau thiết kế cơ sở',
      'Cấp chứng chỉ hành nghề hoạt động xây dựng',
      'Cấp chứng chỉ năng lực hoạt động xây dựng',
    ],
  },
  {
    field: 'Thành lập và hoạt động doanh nghiệp',
    agency: 'Sở Kế hoạch và Đầu tư',
    agencyCode: 'SKHDT',
    names: [
      'Đăng ký thành lập doanh nghiệp tư nhân',
      'Đăng ký thành lập công ty TNHH một thành viên',
      'Đăng ký thành lập công ty cổ phần',
      'Đăng ký thay đổi nội dung đăng ký doanh nghiệp',
      'Thông báo tạm ngừng kinh doanh',
      'Giải thể doanh nghiệp',
      'Đăng ký hoạt động chi nhánh, văn phòng đại diện',
    ],
  },
  {
    field: 'Đầu tư',
    agency: 'Sở Kế hoạch và Đầu tư',
    agencyCode: 'SKHDT',
    names: [
      'Chấp thuận chủ trương đầu tư',
      'Cấp Giấy chứng nhận đăng ký đầu tư',
      'Điều chỉnh dự án đầu tư',
      'Chấm dứt hoạt động dự án đầu tư',
    ],
  },
  {
    field: 'Đường bộ',
    agency: 'Sở Giao thông vận tải',
    agencyCode: 'SGTVT',
    names: [
      'Cấp đổi giấy phép lái xe',
      'Cấp lại giấy phép lái xe',
      'Cấp giấy phép kinh doanh vận tải bằng xe ô tô',
      'Cấp phù hiệu xe ô tô kinh doanh vận tải',
      'Cấp giấy phép lưu hành xe quá tải trọng',
    ],
  },
  {
    field: 'Đường thủy nội địa',
    agency: 'Sở Giao thông vận tải',
    agencyCode: 'SGTVT',
    names: [
      'Đăng ký phương tiện thủy nội địa',
      'Cấp giấy chứng nhận khả năng chuyên môn thuyền trưởng',
      'Công bố hoạt động bến thủy nội địa',
    ],
  },
  {
    field: 'Khám bệnh, chữa bệnh',
    agency: 'Sở Y tế',
    agencyCode: 'SYT',
    names: [
      'Cấp chứng chỉ hành nghề khám bệnh, chữa bệnh',
      'Cấp giấy phép hoạt động phòng khám',
      'Cấp giấy phép hoạt động cơ sở dịch vụ y tế',
    ],
  },
  {
    field: 'Dược phẩm',
    agency: 'Sở Y tế',
    agencyCode: 'SYT',
    names: [
      'Cấp giấy chứng nhận đủ điều kiện kinh doanh dược',
      'Cấp chứng chỉ hành nghề dược',
      'Cấp giấy chứng nhận cơ sở đủ điều kiện an toàn thực phẩm',
    ],
  },
  {
    field: 'Giáo dục và Đào tạo',
    agency: 'Sở Giáo dục và Đào tạo',
    agencyCode: 'SGDDT',
    names: [
      'Cấp bản sao văn bằng, chứng chỉ từ sổ gốc',
      'Chỉnh sửa nội dung văn bằng, chứng chỉ',
      'Cho phép thành lập trung tâm ngoại ngữ, tin học',
      'Công nhận trường đạt chuẩn quốc gia',
      'Chuyển trường đối với học sinh trung học',
    ],
  },
  {
    field: 'Việc làm',
    agency: 'Sở Lao động - Thương binh và Xã hội',
    agencyCode: 'SLDTBXH',
    names: [
      'Giải quyết hưởng trợ cấp thất nghiệp',
      'Cấp giấy phép lao động cho người lao động nước ngoài',
      'Cấp giấy phép hoạt động dịch vụ việc làm',
    ],
  },
  {
    field: 'Bảo trợ xã hội',
    agency: 'Sở Lao động - Thương binh và Xã hội',
    agencyCode: 'SLDTBXH',
    names: [
      'Giải quyết trợ cấp xã hội hằng tháng',
      'Xác nhận người có công với cách mạng',
      'Hỗ trợ chi phí mai táng',
      'Xác định mức độ khuyết tật',
    ],
  },
  {
    field: 'Đăng ký, quản lý cư trú',
    agency: 'Công an tỉnh',
    agencyCode: 'CAT',
    names: [
      'Đăng ký thường trú',
      'Đăng ký tạm trú',
      'Xóa đăng ký thường trú',
      'Khai báo tạm vắng',
      'Cấp đổi thẻ căn cước',
      'Cấp hộ chiếu phổ thông',
    ],
  },
  {
    field: 'Văn hóa',
    agency: 'Sở Văn hóa, Thể thao và Du lịch',
    agencyCode: 'SVHTTDL',
    names: ['Cấp giấy phép kinh doanh dịch vụ karaoke', 'Cấp giấy phép tổ chức biểu diễn nghệ thuật', 'Cấp giấy phép triển lãm mỹ thuật'],
  },
  {
    field: 'Du lịch',
    agency: 'Sở Văn hóa, Thể thao và Du lịch',
    agencyCode: 'SVHTTDL',
    names: ['Công nhận hạng cơ sở lưu trú du lịch', 'Cấp thẻ hướng dẫn viên du lịch', 'Cấp giấy phép kinh doanh dịch vụ lữ hành nội địa'],
  },
  {
    field: 'Lưu thông hàng hóa',
    agency: 'Sở Công Thương',
    agencyCode: 'SCT',
    names: [
      'Cấp giấy phép bán lẻ rượu',
      'Cấp giấy chứng nhận đủ điều kiện cửa hàng bán lẻ xăng dầu',
      'Cấp giấy phép sản xuất rượu thủ công',
      'Đăng ký thực hiện khuyến mại',
    ],
  },
  {
    field: 'Nông nghiệp',
    agency: 'Sở Nông nghiệp và Phát triển nông thôn',
    agencyCode: 'SNNPTNT',
    names: [
      'Cấp giấy chứng nhận cơ sở đủ điều kiện chăn nuôi',
      'Cấp giấy phép khai thác thủy sản',
      'Kiểm dịch động vật vận chuyển ra khỏi địa bàn tỉnh',
      'Cấp chứng chỉ hành nghề thú y',
    ],
  },
  {
    field: 'Thuế, phí, lệ phí',
    agency: 'Cục Thuế tỉnh',
    agencyCode: 'CTT',
    names: ['Khai lệ phí trước bạ nhà, đất', 'Đăng ký thuế lần đầu đối với hộ kinh doanh', 'Miễn, giảm tiền thuê đất'],
  },
];

const SCOPES = [
  '',
  ' – cấp lại',
  ' – cấp đổi',
  ' – điều chỉnh, bổ sung',
  ' có yếu tố nước ngoài',
  ' đối với tổ chức',
  ' đối với cá nhân',
  ' đối với hộ kinh doanh',
  ' – thủ tục rút gọn',
  ' – gia hạn',
  ' – trường hợp bị mất, hư hỏng',
  ' liên thông',
];
const LEVELS_OF_GOVERNMENT = [' (cấp tỉnh)', ' (cấp xã)'];
const LEVEL_4_FEES = [10_000, 20_000, 30_000, 50_000, 100_000, 150_000, 200_000, 500_000];
const LEVEL_3_FEES = [0, 0, 0, 15_000, 50_000, 100_000];
const DOCUMENTS = [
  { type: 'application', name: 'Tờ khai / Đơn đề nghị (theo mẫu)' },
  { type: 'identity', name: 'Bản sao thẻ Căn cước công dân' },
  { type: 'certificate', name: 'Bản sao giấy chứng nhận liên quan' },
  { type: 'authorization', name: 'Văn bản ủy quyền (nếu nộp thay)' },
  { type: 'plan', name: 'Bản vẽ, sơ đồ vị trí' },
];

/** Normalises for search: lower case, no diacritics, đ → d. */
export function normalise(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/đ/g, 'd')
    .replace(/Đ/g, 'd')
    .toLowerCase();
}

/**
 * About 2,000 synthetic procedures, the same on every run. Level 4 ("toàn trình", pay online) for about 55 %
 * (national full-process share was 47.79 % in 2024 and rising); every level-4 procedure has a fee paid online.
 */
export function buildCatalogue(count: number): Procedure[] {
  const random = seededRandom('dvcqg-catalogue');
  const combinations: { field: Field; name: string }[] = [];
  for (const field of FIELDS) {
    for (const base of field.names) {
      for (const scope of SCOPES)
        for (const government of LEVELS_OF_GOVERNMENT) combinations.push({ field, name: `${base}${scope}${government}` });
    }
  }
  for (let i = combinations.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [combinations[i], combinations[j]] = [combinations[j], combinations[i]];
  }
  const procedures: Procedure[] = [];
  for (let i = 0; i < count; i++) {
    const { field, name } = combinations[i % combinations.length];
    const round = Math.floor(i / combinations.length);
    const level = random() < 0.55 ? 4 : 3;
    const documentCount = integerBetween(random, 1, 3);
    procedures.push({
      code: `1.${String(1001 + i).padStart(6, '0')}`,
      name: round === 0 ? name : `${name} – mẫu ${round + 1}`,
      agency: field.agency,
      agencyCode: field.agencyCode,
      level,
      fee: pick(random, level === 4 ? LEVEL_4_FEES : LEVEL_3_FEES),
      field: field.field,
      processingDays: integerBetween(random, 1, 30),
      requiredDocuments: DOCUMENTS.slice(0, documentCount),
    });
  }
  return procedures;
}

export interface SearchQuery {
  q?: string;
  agency?: string;
  level?: 3 | 4;
  page: number;
  pageSize: number;
}

export class Catalogue {
  private readonly byCode: Map<string, Procedure>;
  private readonly searchable: { procedure: Procedure; text: string; agency: string }[];

  constructor(readonly procedures: Procedure[]) {
    this.byCode = new Map(procedures.map((p) => [p.code, p]));
    this.searchable = procedures.map((procedure) => ({
      procedure,
      text: normalise(`${procedure.name} ${procedure.field}`),
      agency: normalise(`${procedure.agencyCode} ${procedure.agency}`),
    }));
  }

  get(code: string): Procedure | undefined {
    return this.byCode.get(code);
  }

  search(query: SearchQuery): { items: Procedure[]; total: number } {
    const words = query.q ? normalise(query.q).split(/\s+/).filter(Boolean) : [];
    const agency = query.agency ? normalise(query.agency) : undefined;
    const matches = this.searchable.filter(
      (entry) =>
        (query.level === undefined || entry.procedure.level === query.level) &&
        (agency === undefined || entry.agency.includes(agency)) &&
        words.every((word) => entry.text.includes(word)),
    );
    const start = (query.page - 1) * query.pageSize;
    return { items: matches.slice(start, start + query.pageSize).map((entry) => entry.procedure), total: matches.length };
  }
}
