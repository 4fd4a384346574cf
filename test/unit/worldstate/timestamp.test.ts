import { expect } from 'chai';
import Long from 'long';
import { parseTimestamp, timestampToIso } from '../../../chaincode/src/worldstate';

describe('transaction timestamps', () => {
  const base = Date.UTC(2024, 4, 1, 8, 30, 15) / 1000;

  it('reads ISO instants with up to nine fraction digits', () => {
    expect(parseTimestamp('2024-05-01T08:30:15Z')).to.deep.equal({ seconds: base, nanos: 0 });
    expect(parseTimestamp('2024-05-01T08:30:15.5Z')).to.deep.equal({ seconds: base, nanos: 500_000_000 });
    expect(parseTimestamp('2024-05-01T08:30:15.000000001Z')).to.deep.equal({ seconds: base, nanos: 1 });
  });

  it('applies a time-zone offset', () => {
    expect(parseTimestamp('2024-05-01T16:30:15+08:00')).to.deep.equal({ seconds: base, nanos: 0 });
    expect(parseTimestamp('2024-05-01T03:30:15-05:00')).to.deep.equal({ seconds: base, nanos: 0 });
  });

  it('accepts {seconds, nanos} with seconds as a number or a protobuf Long', () => {
    expect(parseTimestamp({ seconds: base, nanos: 7 })).to.deep.equal({ seconds: base, nanos: 7 });
    expect(parseTimestamp({ seconds: Long.fromNumber(base, true), nanos: 7 })).to.deep.equal({ seconds: base, nanos: 7 });
  });

  it('refuses instants without a zone, impossible dates and out-of-range parts', () => {
    const bad = ['2024-05-01T08:30:15', '2024-02-30T00:00:00Z', '2024-05-01T24:00:00Z', '2024-05-01', 'yesterday', '2024-05-01T08:30:15.1234567890Z'];
    for (const text of bad) expect(() => parseTimestamp(text), text).to.throw(/timestamp/);
    expect(() => parseTimestamp({ seconds: 1.5, nanos: 0 })).to.throw(/seconds must be a non-negative integer/);
    expect(() => parseTimestamp({ seconds: 1, nanos: 1_000_000_000 })).to.throw(/nanos must be an integer/);
    expect(() => parseTimestamp(null as unknown as string)).to.throw(/ISO 8601 string or \{seconds, nanos\}/);
  });

  it('formats a timestamp as ISO 8601 UTC with milliseconds', () => {
    expect(timestampToIso({ seconds: base, nanos: 123_999_999 })).to.equal('2024-05-01T08:30:15.123Z');
  });
});
