import { expect } from 'chai';
import { contracts } from '../../../chaincode/src';

// fabric-contract-api serialises every object result (GetMetadata's among
// them) with class-transformer's classToPlain, which the 0.4.1 release npm
// resolves for "^0.4.0" no longer exports: on a real peer
// `org.hyperledger.fabric:GetMetadata` then fails with "classToPlain is not a
// function". package.json pins 0.4.0 through `overrides`; this test fails if
// the pin is lost.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const JSONSerializer = require('fabric-contract-api/lib/jsontransactionserializer') as new () => {
  toBuffer(result: unknown, schema?: object): Buffer | undefined;
};

describe('chaincode metadata serialisation (fabric-contract-api)', () => {
  it('serialises an object result, as GetMetadata does, into JSON', () => {
    const metadata = { $schema: 'https://hyperledger.github.io/fabric-chaincode-node/main/api/contract-schema.json', contracts: { member: { name: 'member' } } };
    const bytes = new JSONSerializer().toBuffer(metadata, {});
    expect(JSON.parse(String(bytes))).to.deep.equal(metadata);
  });

  it('exports every contract class the chaincode server loads', () => {
    expect(contracts.length).to.be.greaterThan(5);
    for (const c of contracts) expect(c).to.be.a('function');
  });
});
