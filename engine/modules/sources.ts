// The k6 modules as the bundler sees them: small ES modules whose exports forward to the engine's
// shared implementations (`__k6`) with the calling VU (`__loadlab`, a parameter of the per-VU
// factory). esbuild tree-shakes what a script does not import, so each VU only pays for the
// wrappers its script uses; the implementations themselves are shared by all VUs. The wrappers pass
// four arguments (the most any k6 function takes) rather than rest/spread: one array less per call.

const forward = (ns: string, names: string[], vuBound: boolean) =>
  names
    .map((name) =>
      vuBound
        ? `export function ${name}(a, b, c, d) { return __k6.${ns}.${name}(__loadlab, a, b, c, d); }`
        : `export const ${name} = __k6.${ns}.${name};`,
    )
    .join('\n');

const defaultOf = (names: string[]) => `export default { ${names.join(', ')} };`;

const K6 = ['check', 'group', 'sleep', 'fail', 'randomSeed'];
const HTTP_VU = [
  'request',
  'asyncRequest',
  'get',
  'head',
  'post',
  'put',
  'patch',
  'del',
  'options',
  'batch',
  'setResponseCallback',
  'cookieJar',
];
const HTTP_SHARED = [
  'CookieJar',
  'file',
  'expectedStatuses',
  'url',
  'TLS_1_0',
  'TLS_1_1',
  'TLS_1_2',
  'TLS_1_3',
  'OCSP_STATUS_GOOD',
  'OCSP_STATUS_REVOKED',
  'OCSP_STATUS_SERVER_FAILED',
  'OCSP_STATUS_UNKNOWN',
  'OCSP_REASON_UNSPECIFIED',
  'OCSP_REASON_KEY_COMPROMISE',
  'OCSP_REASON_CA_COMPROMISE',
  'OCSP_REASON_AFFILIATION_CHANGED',
  'OCSP_REASON_SUPERSEDED',
  'OCSP_REASON_CESSATION_OF_OPERATION',
  'OCSP_REASON_CERTIFICATE_HOLD',
  'OCSP_REASON_REMOVE_FROM_CRL',
  'OCSP_REASON_PRIVILEGE_WITHDRAWN',
  'OCSP_REASON_AA_COMPROMISE',
];
const HTML = ['parseHTML'];
const METRICS = ['Counter', 'Gauge', 'Rate', 'Trend'];
const ENCODING = ['b64encode', 'b64decode'];
const CRYPTO = [
  'md4',
  'md5',
  'sha1',
  'sha256',
  'sha384',
  'sha512',
  'sha512_224',
  'sha512_256',
  'ripemd160',
  'hmac',
  'createHash',
  'createHMAC',
  'randomBytes',
];
const TIMERS = ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'];

export const MODULE_SOURCES: Record<string, string> = {
  k6: `${forward('k6', K6, true)}\n${defaultOf(K6)}`,
  'k6/http': `${forward('http', HTTP_VU, true)}\n${forward('http', HTTP_SHARED, false)}\n${defaultOf([...HTTP_VU, ...HTTP_SHARED])}`,
  'k6/metrics':
    METRICS.map(
      (name) => `export function ${name}(name, isTime) { return __k6.metrics.create(__loadlab, '${name.toLowerCase()}', name, isTime); }`,
    ).join('\n') + `\n${defaultOf(METRICS)}`,
  'k6/execution':
    'const execution = __k6.execution.forVU(__loadlab);\nexport const vu = execution.vu, scenario = execution.scenario, instance = execution.instance, test = execution.test;\nexport default execution;',
  'k6/data': `${forward('data', ['SharedArray'], false)}\n${defaultOf(['SharedArray'])}`,
  'k6/html': `${forward('html', HTML, false)}\n${defaultOf(HTML)}`,
  'k6/encoding': `${forward('encoding', ENCODING, false)}\n${defaultOf(ENCODING)}`,
  'k6/crypto': `${forward('crypto', CRYPTO, false)}\n${defaultOf(CRYPTO)}`,
  'k6/timers': `${forward('timers', TIMERS, false)}\n${defaultOf(TIMERS)}`,
  'k6/experimental/timers': `${forward('timers', TIMERS, false)}\n${defaultOf(TIMERS)}`,
};

/** jslib's k6-summary, which scripts import by URL for handleSummary; served by the engine's own summary renderer. */
export const JSLIB_SUMMARY = /^https:\/\/jslib\.k6\.io\/k6-summary\/[\d.]+\/index\.js$/;
export const JSLIB_SUMMARY_SOURCE = `${forward('summary', ['textSummary'], false)}\nexport default { textSummary };`;

export const SUPPORTED_MODULES = Object.keys(MODULE_SOURCES);
