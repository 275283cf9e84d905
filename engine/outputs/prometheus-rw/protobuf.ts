// Encoder for the few protobuf messages of Prometheus remote write 1.0 (prompb.WriteRequest).
//
// Why hand-written: the payload is six small messages (WriteRequest, TimeSeries, Label, Sample,
// Histogram, BucketSpan) that only ever need encoding. A protobuf library would bring a schema
// loader, reflection and a runtime several times larger than this file, and would allocate a
// message object per sample on the flush path; this writer appends straight into one buffer.
// The field numbers below are those of prometheus/prompb/types.proto and remote.proto. Each series'
// labels are encoded once and copied into every push, so a push allocates almost nothing.
// The integration tests check the bytes against a real Prometheus, which is the decoder that matters.

export interface Label {
  readonly name: string;
  readonly value: string;
}

export interface PromSample {
  readonly value: number;
  /** Milliseconds since the Unix epoch. */
  readonly timestamp: number;
  /** Writes Prometheus' staleness marker instead of the value: the series ended here. */
  readonly stale?: boolean;
}

export interface BucketSpan {
  readonly offset: number;
  readonly length: number;
}

/** A native (sparse, exponential) histogram with integer counts, cumulative since the start. */
export interface PromHistogram {
  readonly count: number;
  readonly sum: number;
  readonly schema: number;
  readonly zeroThreshold: number;
  readonly zeroCount: number;
  readonly negativeSpans: readonly BucketSpan[];
  readonly negativeDeltas: readonly number[];
  readonly positiveSpans: readonly BucketSpan[];
  readonly positiveDeltas: readonly number[];
  readonly timestamp: number;
}

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_LENGTH_DELIMITED = 2;

function varintSize(value: number): number {
  let size = 1;
  while (value >= 0x80) {
    value = Math.floor(value / 0x80);
    size++;
  }
  return size;
}

const textEncoder = new TextEncoder();

/** A growable byte buffer with protobuf primitives; nested messages are written length-first. */
class ProtoWriter {
  private bytes: Uint8Array;
  private view: DataView;
  length = 0;

  constructor(initialSize: number) {
    this.bytes = new Uint8Array(initialSize);
    this.view = new DataView(this.bytes.buffer);
  }

  raw(data: Uint8Array): void {
    this.reserve(data.length);
    this.bytes.set(data, this.length);
    this.length += data.length;
  }

  private reserve(extra: number): void {
    if (this.length + extra <= this.bytes.length) return;
    let size = this.bytes.length * 2;
    while (size < this.length + extra) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.bytes.subarray(0, this.length));
    this.bytes = grown;
    this.view = new DataView(grown.buffer);
  }

  /** Unsigned varint of a non-negative integer up to 2^53. */
  varint(value: number): void {
    this.reserve(10);
    while (value >= 0x80) {
      this.bytes[this.length++] = (value % 0x80) | 0x80;
      value = Math.floor(value / 0x80);
    }
    this.bytes[this.length++] = value;
  }

  /** int64 as protobuf writes it: negative numbers as their 64-bit two's complement (10 bytes). */
  int64(value: number): void {
    if (value >= 0) {
      this.varint(value);
      return;
    }
    let big = BigInt.asUintN(64, BigInt(value));
    this.reserve(10);
    while (big >= 0x80n) {
      this.bytes[this.length++] = Number(big & 0x7fn) | 0x80;
      big >>= 7n;
    }
    this.bytes[this.length++] = Number(big);
  }

  /** sint32/sint64: zig-zag, so small negative numbers stay small. */
  sint(value: number): void {
    this.varint(value >= 0 ? value * 2 : -value * 2 - 1);
  }

  tag(field: number, wireType: number): void {
    this.varint(field * 8 + wireType);
  }

  double(value: number): void {
    this.reserve(8);
    this.view.setFloat64(this.length, value, true);
    this.length += 8;
  }

  /** Writes raw float64 bits (the stale marker is a NaN with a specific payload). */
  doubleBits(high: number, low: number): void {
    this.reserve(8);
    this.view.setUint32(this.length, low, true);
    this.view.setUint32(this.length + 4, high, true);
    this.length += 8;
  }

  string(field: number, value: string): void {
    this.tag(field, WIRE_LENGTH_DELIMITED);
    const size = Buffer.byteLength(value, 'utf8');
    this.varint(size);
    this.reserve(size);
    textEncoder.encodeInto(value, this.bytes.subarray(this.length, this.length + size));
    this.length += size;
  }

  /**
   * Writes a nested message in place: one byte is reserved for its length, which fits most labels
   * and samples; longer messages are shifted right once to make room for a longer varint.
   */
  message(field: number, write: (writer: ProtoWriter) => void): void {
    this.tag(field, WIRE_LENGTH_DELIMITED);
    const lengthAt = this.length;
    this.reserve(1);
    this.length += 1;
    write(this);
    const size = this.length - lengthAt - 1;
    const lengthBytes = varintSize(size);
    if (lengthBytes > 1) {
      this.reserve(lengthBytes - 1);
      this.bytes.copyWithin(lengthAt + lengthBytes, lengthAt + 1, this.length);
      this.length += lengthBytes - 1;
    }
    const end = this.length;
    this.length = lengthAt;
    this.varint(size);
    this.length = end;
  }

  finish(): Uint8Array {
    return this.bytes.slice(0, this.length);
  }
}

/** Prometheus' staleness marker: the NaN 0x7ff0000000000002 (value.StaleNaN), written as bits
 *  because a JS NaN does not promise to keep its payload. */
const STALE_NAN_HIGH = 0x7ff00000;
const STALE_NAN_LOW = 0x00000002;

function writeSample(writer: ProtoWriter, sample: PromSample): void {
  writer.tag(1, WIRE_FIXED64);
  if (sample.stale) writer.doubleBits(STALE_NAN_HIGH, STALE_NAN_LOW);
  else writer.double(sample.value);
  writer.tag(2, WIRE_VARINT);
  writer.int64(sample.timestamp);
}

function writeSpans(writer: ProtoWriter, field: number, spans: readonly BucketSpan[]): void {
  for (const span of spans) {
    writer.message(field, (w) => {
      w.tag(1, WIRE_VARINT);
      w.sint(span.offset);
      w.tag(2, WIRE_VARINT);
      w.varint(span.length);
    });
  }
}

function writePackedSint(writer: ProtoWriter, field: number, values: readonly number[]): void {
  if (values.length === 0) return;
  writer.message(field, (w) => {
    for (const value of values) w.sint(value);
  });
}

function writeHistogram(writer: ProtoWriter, histogram: PromHistogram): void {
  writer.tag(1, WIRE_VARINT); // count_int
  writer.varint(histogram.count);
  writer.tag(3, WIRE_FIXED64);
  writer.double(histogram.sum);
  writer.tag(4, WIRE_VARINT);
  writer.sint(histogram.schema);
  writer.tag(5, WIRE_FIXED64);
  writer.double(histogram.zeroThreshold);
  writer.tag(6, WIRE_VARINT); // zero_count_int
  writer.varint(histogram.zeroCount);
  writeSpans(writer, 8, histogram.negativeSpans);
  writePackedSint(writer, 9, histogram.negativeDeltas);
  writeSpans(writer, 11, histogram.positiveSpans);
  writePackedSint(writer, 12, histogram.positiveDeltas);
  writer.tag(15, WIRE_VARINT);
  writer.int64(histogram.timestamp);
}

/** The repeated `labels` fields of a TimeSeries, encoded once per series and reused every push. */
export function encodeLabels(labels: readonly Label[]): Uint8Array {
  const writer = new ProtoWriter(256);
  for (const label of labels) {
    writer.message(1, (w) => {
      w.string(1, label.name);
      w.string(2, label.value);
    });
  }
  return writer.finish();
}

/** Builds one prompb.WriteRequest (uncompressed; remote write snappy-compresses it). */
export class WriteRequestEncoder {
  private readonly writer = new ProtoWriter(64 * 1024);
  /** TimeSeries written so far. */
  count = 0;

  /** Appends a TimeSeries: labels from encodeLabels, then one sample or one native histogram. */
  add(labels: Uint8Array, sample: PromSample | null, histogram: PromHistogram | null = null): void {
    this.count++;
    this.writer.message(1, (w) => {
      w.raw(labels);
      if (sample) w.message(2, (sw) => writeSample(sw, sample));
      if (histogram) w.message(4, (hw) => writeHistogram(hw, histogram));
    });
  }

  finish(): Uint8Array {
    return this.writer.finish();
  }
}
