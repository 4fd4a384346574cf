import { hash } from '@hyperledger/fabric-gateway';
import { p256, p384 } from '@noble/curves/nist';
import { expect } from 'chai';
import { generateKeyPairSync, randomBytes, sign, verify, type KeyObject } from 'node:crypto';
import { lowSDer, signingWith } from '../../../gateway/src/ledger/fabric/signer';

const pem = (key: KeyObject) => key.export({ format: 'pem', type: 'pkcs8' }).toString();

/** The s of a DER signature (p256 and p384 share @noble/curves' one curve type). */
const sOf = (curve: typeof p256, der: Uint8Array) => curve.Signature.fromBytes(der, 'der').s;

describe('Fabric connector: signing with node:crypto', () => {
  for (const [name, curve] of [['P-256', p256], ['P-384', p384]] as const) {
    it(`${name}: every signature is DER, verifies over the message's SHA-256 and has a low S`, async () => {
      const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: name });
      const signing = signingWith(pem(privateKey));
      const message = randomBytes(2048);
      // The signer gets the whole message: OpenSSL hashes it, as the peer's MSP checks.
      expect(Buffer.from(signing.hash(message)).equals(message)).to.equal(true);
      const half = curve.CURVE.n >> 1n;
      // OpenSSL returns a high S about half the time: 200 signatures without the
      // normalisation would almost surely include one (odds of none: 2^-200).
      for (let i = 0; i < 200; i++) {
        const m = randomBytes(64 + i);
        const der = await signing.signer(signing.hash(m));
        expect(verify('sha256', m, publicKey, der), `signature ${i}`).to.equal(true);
        expect(sOf(curve, der) <= half, `signature ${i} has a high S`).to.equal(true);
      }
    });
  }

  it('lowSDer turns a high-S signature into its low-S twin, which still verifies', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const message = Buffer.from('a voucher transfer');
    const rs = sign('sha256', message, { key: privateKey, dsaEncoding: 'ieee-p1363' });
    const n = p256.CURVE.n;
    const s = BigInt(`0x${rs.subarray(32).toString('hex')}`);
    // (r, s) and (r, n - s) are both valid; exactly one of them is high.
    const high = s > n >> 1n ? s : n - s;
    const highRs = Buffer.concat([rs.subarray(0, 32), Buffer.from(high.toString(16).padStart(64, '0'), 'hex')]);
    const der = lowSDer(p256, highRs);
    expect(sOf(p256, der)).to.equal(n - high);
    expect(verify('sha256', message, publicKey, der)).to.equal(true);
  });

  it('an Ed25519 key keeps fabric-gateway\'s signer, over the whole message', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const signing = signingWith(pem(privateKey));
    expect(signing.hash).to.equal(hash.none);
    const message = Buffer.from('a voucher transfer');
    expect(verify(null, message, publicKey, await signing.signer(signing.hash(message)))).to.equal(true);
  });

  it('an ECDSA key on a curve Fabric does not take is refused, as fabric-gateway refuses it', () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'secp256k1' });
    expect(() => signingWith(pem(privateKey))).to.throw(/Unsupported curve: secp256k1/);
  });

  it('refuses a key that is not a private key, as before', () => {
    expect(() => signingWith('not a key')).to.throw();
  });
});
