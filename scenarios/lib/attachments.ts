// PDF-like attachment payloads: a real header and trailer around filler, of realistic scanned-document
// sizes. The filler is built once per VU and sliced per upload, so memory stays at one buffer per VU.
// Pure code (no k6 import): the scenario wraps the result in http.file().
import type { Random } from './random.ts';

const BLOCK_SIZE = 64 * 1024;
const FILLER_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

export interface AttachmentSource {
  /** Largest payload this source can produce, in bytes. */
  maxBytes: number;
  filler: string;
}

/** Filler of maxBytes ASCII characters (so string length equals byte length on the wire). */
export function createAttachmentSource(random: Random, maxBytes: number): AttachmentSource {
  // An array joined once: repeated += is quadratic on JavaScript engines without rope strings (k6's goja).
  const characters = new Array<string>(BLOCK_SIZE);
  for (let i = 0; i < BLOCK_SIZE; i++) characters[i] = FILLER_ALPHABET[random.int(0, FILLER_ALPHABET.length - 1)];
  const block = characters.join('');
  const filler = block.repeat(Math.ceil(maxBytes / BLOCK_SIZE)).slice(0, maxBytes);
  return { maxBytes, filler };
}

/**
 * Size of one scan in bytes: log-uniform between min and max KB, so small scans are common and
 * 2 MB ones rare, as on real portals.
 */
export function attachmentSize(random: Random, minKb: number, maxKb: number): number {
  const logMin = Math.log(minKb);
  const logMax = Math.log(maxKb);
  return Math.round(Math.exp(logMin + random.next() * (logMax - logMin)) * 1024);
}

/** A document of exactly `bytes` bytes that starts with %PDF- and ends with %%EOF. */
export function pdfPayload(source: AttachmentSource, bytes: number, title: string): string {
  const header =
    `%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R /Title (${title}) >>\nendobj\n` +
    '2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n' +
    '3 0 obj\n<< /Type /Page /Parent 2 0 R /Contents 4 0 R >>\nendobj\n' +
    '4 0 obj\n<< /Filter /ASCII85Decode /Length 0 >>\nstream\n';
  const trailer = '\nendstream\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n';
  const fillerBytes = Math.min(source.maxBytes, Math.max(0, bytes - header.length - trailer.length));
  return header + source.filler.slice(0, fillerBytes) + trailer;
}
