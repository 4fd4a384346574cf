import { expect } from 'chai';
import sinon from 'sinon';
import fc from 'fast-check';
describe('toolchain', () => {
  it('loads chai, sinon and fast-check from CommonJS tests', () => {
    expect(typeof sinon.stub).to.equal('function');
    fc.assert(fc.property(fc.integer(), (n) => n + 0 === n));
  });
});
