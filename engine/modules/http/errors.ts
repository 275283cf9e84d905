// k6's HTTP error codes (lib/netext/httpext/error_codes.go), from Node/undici errors.
export const ERROR_CODES = {
  generic: 1000,
  invalidUrl: 1020,
  requestTimeout: 1050,
  dnsGeneric: 1100,
  dnsNoSuchHost: 1101,
  blockedIp: 1110,
  blockedHostname: 1111,
  tcpGeneric: 1200,
  tcpBrokenPipe: 1201,
  tcpDial: 1210,
  tcpDialTimeout: 1211,
  tcpDialRefused: 1212,
  tcpResetByPeer: 1220,
  tlsGeneric: 1300,
  tlsUnknownAuthority: 1310,
  tlsHostnameMismatch: 1311,
} as const;

/** [k6 error code, k6-like message] for a failed exchange. */
export function classifyError(error: Error & { code?: string }): [number, string] {
  const code = error.code ?? '';
  switch (code) {
    case 'ECONNREFUSED':
      return [ERROR_CODES.tcpDialRefused, `dial: ${error.message.replace(/^connect /, 'connect: ')}`];
    case 'ECONNRESET':
      return [ERROR_CODES.tcpResetByPeer, 'read: connection reset by peer'];
    case 'EPIPE':
      return [ERROR_CODES.tcpBrokenPipe, 'write: broken pipe'];
    case 'ENOTFOUND':
      return [ERROR_CODES.dnsNoSuchHost, `lookup: no such host (${error.message})`];
    case 'EAI_AGAIN':
      return [ERROR_CODES.dnsGeneric, `lookup: ${error.message}`];
    case 'ETIMEDOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
      return [ERROR_CODES.tcpDialTimeout, 'dial: i/o timeout'];
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
      return [ERROR_CODES.requestTimeout, 'request timeout'];
    case 'UND_ERR_SOCKET':
      return [ERROR_CODES.generic, 'EOF (the server closed the connection)'];
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'EADDRNOTAVAIL':
      return [ERROR_CODES.tcpDial, `dial: ${error.message}`];
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
    case 'CERT_UNTRUSTED':
      return [ERROR_CODES.tlsUnknownAuthority, 'x509: unknown authority'];
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return [ERROR_CODES.tlsHostnameMismatch, "x509: certificate doesn't match hostname"];
  }
  if (code.startsWith('ERR_SSL') || code.startsWith('ERR_TLS')) return [ERROR_CODES.tlsGeneric, `tls: ${error.message}`];
  if (code.startsWith('E')) return [ERROR_CODES.tcpGeneric, error.message];
  return [ERROR_CODES.generic, error.message || String(error)];
}
