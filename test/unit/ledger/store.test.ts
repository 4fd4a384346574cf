import { expect } from 'chai';
import type { ChaincodeStub } from 'fabric-shim-api';
import { DomainError } from '../../../chaincode/src/domain/errors';
import { Store } from '../../../chaincode/src/ledger/store';

/**
 * The store's own key checks, against a stub that builds composite keys as
 * fabric-shim's Node stub does: it joins the parts with U+0000 and checks
 * nothing inside them.
 */
describe('ledger/store keys', () => {
  const written: string[] = [];
  const shimLike = {
    createCompositeKey: (type: string, attrs: string[]) => `\u0000${[type, ...attrs].join('\u0000')}\u0000`,
    putState: (key: string) => {
      written.push(key);
      return Promise.resolve();
    },
  } as unknown as ChaincodeStub;
  const store = new Store(shimLike);

  it('builds the composite key of clean parts', () => {
    expect(store.key('VCH', ['VCH-1.2'])).to.equal('\u0000VCH\u0000VCH-1.2\u0000');
  });

  const forged: [string, string, string[]][] = [
    ['a separator inside an attribute (one key standing for two parts)', 'VCH', ['VCH-1\u0000VCH-2']],
    ['U+10FFFF inside an attribute (the end of a prefix range)', 'VCH', ['VCH-1\u{10FFFF}']],
    ['a separator inside the type', 'V\u0000CH', ['VCH-1']],
  ];
  for (const [what, type, attrs] of forged) {
    it(`refuses ${what} with VALIDATION_FAILED and writes nothing`, async () => {
      written.length = 0;
      expect(() => store.key(type, attrs)).to.throw(DomainError).with.property('code', 'VALIDATION_FAILED');
      const err = await store.put(type, attrs, { id: 'x' }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).to.be.instanceOf(DomainError).with.property('code', 'VALIDATION_FAILED');
      expect(written).to.deep.equal([]);
    });
  }
});
