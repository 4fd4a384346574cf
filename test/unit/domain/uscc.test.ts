import { expect } from 'chai';
import fc from 'fast-check';
import { assertUscc, checkCharOf, isValidUscc, USCC_CHARSET, USCC_WEIGHTS, withCheckChar } from '../../../chaincode/src/domain/uscc';
import { expectDomainError } from './fixtures';

/**
 * Codes of real organisations, as published in their business registrations.
 * The check characters computed by GB 32100-2015 must match them.
 */
const REAL_CODES: [string, string][] = [
  ['91440300708461136T', 'Tencent Technology (Shenzhen) Co., Ltd.'],
  ['91110000802100433B', 'Beijing Baidu Netcom Science and Technology Co., Ltd.'],
  ['91330100716105852F', 'Alibaba (China) Network Technology Co., Ltd.'],
  ['91440300100012316L', 'Ping An Insurance (Group) Company of China, Ltd.'],
  ['91310000132260250X', 'SAIC Motor Corporation Limited'],
  ['12100000425006133D', 'East China Normal University (a public institution, authority code 1)'],
  ['91310110666007217T', 'a Shanghai enterprise (hutool test vector)'],
  ['91310115591693856A', 'a Shanghai enterprise (hutool test vector)'],
];

describe('domain/uscc', () => {
  it('uses the weights 3^i mod 31 of the standard', () => {
    expect(USCC_WEIGHTS).to.have.length(17);
    USCC_WEIGHTS.forEach((w, i) => expect(w).to.equal(3 ** i % 31));
    expect(USCC_CHARSET).to.have.length(31);
    for (const excluded of 'IOZSV') expect(USCC_CHARSET).not.to.include(excluded);
  });

  for (const [code, holder] of REAL_CODES) {
    it(`accepts ${code}, the code of ${holder}`, () => {
      expect(isValidUscc(code)).to.equal(true);
      expect(assertUscc(code, 'id')).to.equal(code);
      expect(withCheckChar(code.slice(0, 17))).to.equal(code);
    });
  }

  it('rejects an early pilot code whose check character does not follow the standard', () => {
    expect(isValidUscc('91350211M00013FA1N')).to.equal(false);
  });

  it('rejects every wrong check character of a real code', () => {
    const code = '91440300708461136T';
    for (const c of USCC_CHARSET) {
      if (c === 'T') continue;
      const wrong = code.slice(0, 17) + c;
      expect(isValidUscc(wrong), wrong).to.equal(false);
      expectDomainError(() => assertUscc(wrong, 'debtor'), 'VALIDATION_FAILED', 'expected T');
    }
  });

  it('detects any single changed character', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...REAL_CODES.map(([c]) => c)),
        fc.integer({ min: 0, max: 17 }),
        fc.constantFrom(...USCC_CHARSET),
        (code, pos, ch) => {
          fc.pre(code.charAt(pos) !== ch);
          const mutated = code.slice(0, pos) + ch + code.slice(pos + 1);
          expect(isValidUscc(mutated), mutated).to.equal(false);
        },
      ),
    );
  });

  const malformed: [string, unknown][] = [
    ['17 characters', '91440300708461136'],
    ['19 characters', '91440300708461136TT'],
    ['lower case', '91440300708461136t'],
    ['the letter I', '9144030070846113IT'],
    ['the letter O', '91440300O08461136T'],
    ['the letter Z', '9144030070846113ZT'],
    ['the letter S', '9144030070846113ST'],
    ['the letter V', '9144030070846113VT'],
    ['a letter in the division code (positions 3-8)', '9144A300708461136T'],
    ['a hyphen', '91440300-708461136'],
    ['an empty string', ''],
    ['a number', 914403007084611],
    ['null', null],
  ];
  for (const [what, input] of malformed) {
    it(`rejects a code with ${what}`, () => {
      expect(isValidUscc(input)).to.equal(false);
      expectDomainError(() => assertUscc(input, 'id'), 'VALIDATION_FAILED', 'id');
    });
  }

  it('builds valid codes from any well-formed 17 characters', () => {
    const c = fc.constantFrom(...USCC_CHARSET);
    const digit = fc.constantFrom(...'0123456789');
    fc.assert(
      fc.property(fc.tuple(c, c), fc.array(digit, { minLength: 6, maxLength: 6 }), fc.array(c, { minLength: 9, maxLength: 9 }), (head, div, org) => {
        const first17 = head.join('') + div.join('') + org.join('');
        const code = withCheckChar(first17);
        expect(code).to.have.length(18);
        expect(isValidUscc(code)).to.equal(true);
      }),
    );
  });

  it('maps a weighted sum divisible by 31 to the check character 0', () => {
    // "00000000000000000" sums to 0, so the check is (31 - 0) mod 31 = 0.
    expect(checkCharOf('00000000000000000')).to.equal('0');
    expect(isValidUscc('000000000000000000')).to.equal(true);
  });

  it('refuses to complete malformed prefixes', () => {
    expectDomainError(() => withCheckChar('9144030070846113'), 'VALIDATION_FAILED');
    expectDomainError(() => withCheckChar('9144030070846113I'), 'VALIDATION_FAILED');
    expect(checkCharOf('91440300O0846113')).to.equal(undefined);
  });
});
