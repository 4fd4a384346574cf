import { createPrivateKey, sign, type KeyObject } from 'node:crypto';
import { hash, signers, type Hash, type Signer } from '@hyperledger/fabric-gateway';
import { p256, p384 } from '@noble/curves/nist';

/** What `connect()` takes to sign as one identity: the signer and the hash it expects its input to have gone through. */
export interface Signing {
  readonly signer: Signer;
  readonly hash: Hash;
}

/** The curves Fabric's MSPs issue ECDSA keys on, by node:crypto's name for them (both of @noble/curves' one curve type). */
const CURVES = { prime256v1: p256, secp384r1: p384 } as const;
type Curve = typeof p256;

/**
 * How the Fabric connector signs for an identity whose key it holds.
 *
 * fabric-gateway's own `signers.newPrivateKeySigner` computes ECDSA in
 * JavaScript (@noble/curves): about 0.26 ms a signature on this machine
 * against 0.024 ms for node:crypto's OpenSSL, and a submit signs three
 * times (the proposal, the transaction, the commit-status request). On the
 * real network the REST gateway spent 1.13–1.23 times the raw client's CPU
 * per write with it, 0.94–1.01 times with this (docs/BENCHMARKS.md,
 * "Signing with OpenSSL").
 *
 * So an ECDSA key signs here with node:crypto, over the whole message
 * (`hash.none`: OpenSSL hashes it with SHA-256 itself, the digest
 * fabric-gateway would have passed), and the signature is brought to low
 * S, which Fabric's MSPs require (s ≤ n/2; OpenSSL returns either half).
 * Any other key keeps fabric-gateway's signer, with the hash its
 * documentation pairs it with (none for Ed25519, which signs the whole
 * message; SHA-256 otherwise).
 */
export function signingWith(privateKeyPem: string): Signing {
  const key = createPrivateKey(privateKeyPem);
  const curve = ecCurve(key);
  if (curve === undefined) {
    return { signer: signers.newPrivateKeySigner(key), hash: key.asymmetricKeyType === 'ed25519' ? hash.none : hash.sha256 };
  }
  return {
    signer: (message) => Promise.resolve(lowSDer(curve, sign('sha256', message, { key, dsaEncoding: 'ieee-p1363' }))),
    hash: hash.none,
  };
}

function ecCurve(key: KeyObject): Curve | undefined {
  if (key.asymmetricKeyType !== 'ec') return undefined;
  const name = key.asymmetricKeyDetails?.namedCurve;
  return name !== undefined && Object.hasOwn(CURVES, name) ? CURVES[name as keyof typeof CURVES] : undefined;
}

/** An r‖s signature as DER with s in the lower half of the group order. */
export function lowSDer(curve: Curve, rs: Uint8Array): Uint8Array {
  return curve.Signature.fromBytes(rs, 'compact').normalizeS().toBytes('der');
}
