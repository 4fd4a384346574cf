import { createHash, createPrivateKey, sign, verify, X509Certificate, type KeyObject } from 'node:crypto';
import { status as GrpcStatus, Metadata, type ServiceError } from '@grpc/grpc-js';
import { common, gateway, ledger, msp, peer } from '@hyperledger/fabric-protos';
import type { BlockRecord, EndorsedTransaction, ReadRecord, ReadWriteSet } from '../../../chaincode/src/worldstate';

/*
 * The protobuf side of the emulator: reading what a fabric-gateway client
 * sends (signed proposals, signed envelopes, signed requests), checking
 * signatures the way a peer's MSP does, and building what a peer answers
 * (prepared transactions, blocks, qscc results, gRPC errors with details).
 * Written from the .proto definitions in @hyperledger/fabric-protos.
 */

const { rwset } = ledger;

// ---- gRPC errors with Fabric's error details ----

export interface ErrorDetailInit {
  address: string;
  mspId: string;
  message: string;
}

/** A gRPC failure as the Gateway service reports it: a status, a message and per-endpoint details. */
export class GatewayRpcError extends Error {
  override readonly name = 'GatewayRpcError';
  constructor(
    readonly code: GrpcStatus,
    message: string,
    readonly details: readonly ErrorDetailInit[] = [],
  ) {
    super(message);
  }

  /** The error as grpc-js sends it: details travel as a google.rpc.Status in `grpc-status-details-bin`. */
  toServiceError(): Partial<ServiceError> {
    const metadata = new Metadata();
    if (this.details.length > 0) metadata.set('grpc-status-details-bin', encodeRpcStatus(this.code, this.message, this.details));
    return { code: this.code, details: this.message, metadata };
  }
}

// google-protobuf ships no type declarations for its well-known types (Any),
// so the small google.rpc.Status envelope is encoded by hand (proto3 wire format).
function varint(value: number): Buffer {
  const bytes: number[] = [];
  let v = value;
  while (v > 0x7f) {
    bytes.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  bytes.push(v);
  return Buffer.from(bytes);
}
const lengthDelimited = (field: number, bytes: Uint8Array): Buffer => Buffer.concat([varint((field << 3) | 2), varint(bytes.length), bytes]);

export function encodeRpcStatus(code: number, message: string, details: readonly ErrorDetailInit[]): Buffer {
  const parts: Buffer[] = [Buffer.concat([varint(1 << 3), varint(code)]), lengthDelimited(2, Buffer.from(message, 'utf8'))];
  for (const d of details) {
    const detail = new gateway.ErrorDetail();
    detail.setAddress(d.address);
    detail.setMspId(d.mspId);
    detail.setMessage(d.message);
    const any = Buffer.concat([lengthDelimited(1, Buffer.from('type.googleapis.com/gateway.ErrorDetail')), lengthDelimited(2, detail.serializeBinary())]);
    parts.push(lengthDelimited(3, any));
  }
  return Buffer.concat(parts);
}

// ---- identities and signatures ----

export interface Creator {
  readonly mspId: string;
  readonly certificatePem: string;
  readonly certificate: X509Certificate;
}

/** A SerializedIdentity whose id_bytes is a PEM certificate (what fabric-gateway sends). */
export function parseCreator(bytes: Uint8Array): Creator {
  const identity = msp.SerializedIdentity.deserializeBinary(bytes);
  const mspId = identity.getMspid();
  if (mspId === '') throw new Error('the creator names no MSP');
  const certificatePem = Buffer.from(identity.getIdBytes_asU8()).toString('utf8');
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(certificatePem);
  } catch {
    throw new Error('the creator certificate is not a valid X.509 certificate');
  }
  return { mspId, certificatePem, certificate };
}

/** Order of the P-256 group: Fabric's BCCSP accepts only low-S ECDSA signatures (s <= n/2). */
const P256_N = BigInt('0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551');

/** The s of a DER ECDSA signature (SEQUENCE { INTEGER r, INTEGER s }), or undefined when malformed. */
function derS(signature: Uint8Array): bigint | undefined {
  const b = Buffer.from(signature);
  let i = 0;
  if (b[i++] !== 0x30) return undefined;
  let len = b[i++] ?? 0;
  if (len & 0x80) i += len & 0x7f; // long form length (unused for P-256, tolerated)
  const readInt = (): bigint | undefined => {
    if (b[i++] !== 0x02) return undefined;
    len = b[i++] ?? 0;
    const value = b.subarray(i, i + len);
    i += len;
    return value.length === len && len > 0 ? BigInt(`0x${value.toString('hex')}`) : undefined;
  };
  if (readInt() === undefined) return undefined;
  return readInt();
}

/**
 * Why `signature` is not a valid signature of `data` by the creator's
 * certificate key (ECDSA P-256 over SHA-256, DER, low S), or undefined when valid.
 */
export function signatureProblem(creator: Creator, data: Uint8Array, signature: Uint8Array): string | undefined {
  if (signature.length === 0) return 'the message is not signed';
  const s = derS(signature);
  if (s === undefined) return 'the signature is not a DER ECDSA signature';
  if (s > P256_N >> 1n) return 'the signature has a high S value';
  let ok = false;
  try {
    ok = verify('sha256', data, creator.certificate.publicKey, signature);
  } catch {
    ok = false;
  }
  return ok ? undefined : "the creator's signature over the message is not valid";
}

/** The MSPs of the channel: MSP id → the CA certificates that issue its members' certificates. */
export type MspDirectory = ReadonlyMap<string, readonly X509Certificate[]>;

/** Why the channel's MSPs do not accept this creator, or undefined when they do. */
export function identityProblem(creator: Creator, msps: MspDirectory | undefined, now = new Date()): string | undefined {
  const cert = creator.certificate;
  if (now < new Date(cert.validFrom) || now > new Date(cert.validTo)) return 'the creator certificate has expired or is not yet valid';
  if (!msps) return undefined;
  const cas = msps.get(creator.mspId);
  if (!cas) return `MSP ${creator.mspId} is not defined on the channel`;
  const issued = cas.some((ca) => cert.checkIssued(ca) && cert.verify(ca.publicKey));
  return issued ? undefined : `the certificate was not issued by a CA of ${creator.mspId}`;
}

// ---- proposals ----

export interface ParsedProposal {
  readonly proposalBytes: Uint8Array;
  readonly signature: Uint8Array;
  readonly header: common.Header;
  readonly channelHeaderBytes: Uint8Array;
  readonly signatureHeaderBytes: Uint8Array;
  readonly headerType: number;
  readonly channelId: string;
  readonly txId: string;
  readonly timestamp: { seconds: number; nanos: number };
  readonly creatorBytes: Uint8Array;
  readonly creator: Creator;
  readonly nonce: Uint8Array;
  readonly chaincodeName: string;
  /** ChaincodeProposalPayload without its transient map: what goes into the transaction. */
  readonly payloadWithoutTransient: Uint8Array;
  readonly fnName: string;
  readonly args: string[];
  /** The proposal's transient map: for the chaincode at endorsement, never in the transaction. */
  readonly transient: Map<string, Uint8Array>;
}

interface TimestampLike {
  getSeconds(): number;
  getNanos(): number;
}

/** google-protobuf gives a `bytes` map value as a Uint8Array, or as base64 text when it was set as a string. */
function transientBytes(value: Uint8Array | string): Uint8Array {
  return typeof value === 'string' ? Buffer.from(value, 'base64') : value;
}

/** Unpacks a SignedProposal; throws with the reason when it is malformed. */
export function parseSignedProposal(signed: peer.SignedProposal | undefined): ParsedProposal {
  const proposalBytes = signed?.getProposalBytes_asU8() ?? new Uint8Array();
  if (!signed || proposalBytes.length === 0) throw new Error('the proposed transaction must contain a signed proposal');
  const proposal = peer.Proposal.deserializeBinary(proposalBytes);
  const header = common.Header.deserializeBinary(proposal.getHeader_asU8());
  const channelHeaderBytes = header.getChannelHeader_asU8();
  const signatureHeaderBytes = header.getSignatureHeader_asU8();
  const channelHeader = common.ChannelHeader.deserializeBinary(channelHeaderBytes);
  const signatureHeader = common.SignatureHeader.deserializeBinary(signatureHeaderBytes);
  const payload = peer.ChaincodeProposalPayload.deserializeBinary(proposal.getPayload_asU8());
  const spec = peer.ChaincodeInvocationSpec.deserializeBinary(payload.getInput_asU8()).getChaincodeSpec();
  if (channelHeader.getChannelId() === '') throw new Error('no channel id provided');
  const chaincodeName = spec?.getChaincodeId()?.getName() ?? '';
  if (chaincodeName === '') throw new Error(`no chaincode name is provided, channel id [${channelHeader.getChannelId()}]`);
  const rawArgs = spec?.getInput()?.getArgsList_asU8() ?? [];
  const [fn, ...rest] = rawArgs.map((a) => Buffer.from(a).toString('utf8'));
  const ts = channelHeader.getTimestamp() as TimestampLike | undefined;
  if (!ts) throw new Error('the channel header carries no timestamp');
  const withoutTransient = new peer.ChaincodeProposalPayload();
  withoutTransient.setInput(payload.getInput_asU8());
  return {
    proposalBytes,
    signature: signed.getSignature_asU8(),
    header,
    channelHeaderBytes,
    signatureHeaderBytes,
    headerType: channelHeader.getType(),
    channelId: channelHeader.getChannelId(),
    txId: channelHeader.getTxId(),
    timestamp: { seconds: ts.getSeconds(), nanos: ts.getNanos() },
    creatorBytes: signatureHeader.getCreator_asU8(),
    creator: parseCreator(signatureHeader.getCreator_asU8()),
    nonce: signatureHeader.getNonce_asU8(),
    chaincodeName,
    payloadWithoutTransient: withoutTransient.serializeBinary(),
    fnName: fn ?? '',
    args: rest,
    transient: new Map(payload.getTransientmapMap().getEntryList().map(([k, v]: [string, Uint8Array | string]) => [k, transientBytes(v)])),
  };
}

/**
 * What an endorser checks before running anything (its "preProcess"): the
 * header type, the tx id = SHA-256(nonce || creator), the creator's
 * membership and the signature over the proposal bytes.
 */
export function proposalProblem(p: ParsedProposal, msps: MspDirectory | undefined): string | undefined {
  if (p.headerType !== common.HeaderType.ENDORSER_TRANSACTION) return `invalid header type ${p.headerType}`;
  if (p.nonce.length === 0) return 'the signature header carries no nonce';
  const expected = createHash('sha256').update(p.nonce).update(p.creatorBytes).digest('hex');
  if (expected !== p.txId) return `invalid txid: got [${p.txId}], expected [${expected}]`;
  return identityProblem(p.creator, msps) ?? signatureProblem(p.creator, p.proposalBytes, p.signature);
}

// ---- endorsement: the prepared transaction ----

export interface PeerSigner {
  readonly mspId: string;
  readonly certificatePem: string;
  readonly privateKeyPem: string;
}

const VERSION = (v: { blockNumber: number; txIndex: number }): ledger.rwset.kvrwset.Version => {
  const version = new rwset.kvrwset.Version();
  version.setBlockNum(v.blockNumber);
  version.setTxNum(v.txIndex);
  return version;
};

function kvRead(r: ReadRecord): ledger.rwset.kvrwset.KVRead {
  const read = new rwset.kvrwset.KVRead();
  read.setKey(r.key);
  // A read of an absent key carries no version (nil in Fabric).
  if (r.version) read.setVersion(VERSION(r.version));
  return read;
}

/** The engine's read-write set as Fabric's KVRWSet (values in clear, reads with versions, range queries with raw reads). */
export function toKvRwset(set: ReadWriteSet): ledger.rwset.kvrwset.KVRWSet {
  const kv = new rwset.kvrwset.KVRWSet();
  kv.setReadsList(set.reads.map(kvRead));
  kv.setRangeQueriesInfoList(
    set.rangeQueries.map((q) => {
      const info = new rwset.kvrwset.RangeQueryInfo();
      info.setStartKey(q.startKey);
      info.setEndKey(q.endKey);
      info.setItrExhausted(q.itrExhausted);
      const raw = new rwset.kvrwset.QueryReads();
      raw.setKvReadsList(q.results.map(kvRead));
      info.setRawReads(raw);
      return info;
    }),
  );
  kv.setWritesList(
    set.writes.map((w) => {
      const write = new rwset.kvrwset.KVWrite();
      write.setKey(w.key);
      write.setIsDelete(w.isDelete);
      write.setValue(w.value);
      return write;
    }),
  );
  return kv;
}

function nsRwset(namespace: string, kv: ledger.rwset.kvrwset.KVRWSet): ledger.rwset.NsReadWriteSet {
  const ns = new rwset.NsReadWriteSet();
  ns.setNamespace(namespace);
  ns.setRwset(kv.serializeBinary());
  return ns;
}

/** The ChaincodeAction a peer puts in its proposal response: results, event, response, chaincode id. */
export function chaincodeAction(chaincode: string, sim: EndorsedTransaction<string>): peer.ChaincodeAction {
  const results = new rwset.TxReadWriteSet();
  results.setDataModel(rwset.TxReadWriteSet.DataModel.KV);
  // A Fabric 2.x peer also records that the chaincode definition was read
  // (the _lifecycle namespace); the emulator has no lifecycle, so the version is 0:0.
  const lifecycle = new rwset.kvrwset.KVRWSet();
  lifecycle.addReads(kvRead({ key: `namespaces/fields/${chaincode}/Sequence`, version: { blockNumber: 0, txIndex: 0 } }));
  results.setNsRwsetList([nsRwset('_lifecycle', lifecycle), nsRwset(chaincode, toKvRwset(sim.rwset))]);

  const action = new peer.ChaincodeAction();
  action.setResults(results.serializeBinary());
  if (sim.event) {
    const event = new peer.ChaincodeEvent();
    event.setChaincodeId(chaincode);
    event.setTxId(sim.txId);
    event.setEventName(sim.event.name);
    event.setPayload(sim.event.payload);
    action.setEvents(event.serializeBinary());
  }
  const response = new peer.Response();
  response.setStatus(200);
  response.setPayload(Buffer.from(sim.result, 'utf8'));
  action.setResponse(response);
  const id = new peer.ChaincodeID();
  id.setName(chaincode);
  id.setVersion('1.0');
  action.setChaincodeId(id);
  return action;
}

function serializedIdentity(mspId: string, certificatePem: string): Uint8Array {
  const identity = new msp.SerializedIdentity();
  identity.setMspid(mspId);
  identity.setIdBytes(Buffer.from(certificatePem, 'utf8'));
  return identity.serializeBinary();
}

/**
 * The unsigned transaction envelope a Gateway returns from Endorse: the
 * proposal's header, one action carrying the proposal response payload
 * (proposal hash + chaincode action) and this peer's endorsement.
 */
export function preparedTransaction(p: ParsedProposal, action: peer.ChaincodeAction, endorser: PeerSigner, endorserKey: KeyObject): common.Envelope {
  const responsePayload = new peer.ProposalResponsePayload();
  responsePayload.setProposalHash(
    createHash('sha256').update(p.channelHeaderBytes).update(p.signatureHeaderBytes).update(p.payloadWithoutTransient).digest(),
  );
  responsePayload.setExtension$(action.serializeBinary());
  const responsePayloadBytes = responsePayload.serializeBinary();

  const endorserBytes = serializedIdentity(endorser.mspId, endorser.certificatePem);
  const endorsement = new peer.Endorsement();
  endorsement.setEndorser(endorserBytes);
  endorsement.setSignature(sign('sha256', Buffer.concat([responsePayloadBytes, endorserBytes]), endorserKey));

  const endorsed = new peer.ChaincodeEndorsedAction();
  endorsed.setProposalResponsePayload(responsePayloadBytes);
  endorsed.setEndorsementsList([endorsement]);

  const actionPayload = new peer.ChaincodeActionPayload();
  actionPayload.setChaincodeProposalPayload(p.payloadWithoutTransient);
  actionPayload.setAction(endorsed);

  const txAction = new peer.TransactionAction();
  txAction.setHeader(p.signatureHeaderBytes);
  txAction.setPayload(actionPayload.serializeBinary());
  const transaction = new peer.Transaction();
  transaction.setActionsList([txAction]);

  const payload = new common.Payload();
  payload.setHeader(p.header);
  payload.setData(transaction.serializeBinary());
  const envelope = new common.Envelope();
  envelope.setPayload(payload.serializeBinary());
  return envelope;
}

export const peerKey = (signer: PeerSigner): KeyObject => createPrivateKey(signer.privateKeyPem);

// ---- signed envelopes (Submit) ----

export interface ParsedEnvelope {
  readonly txId: string;
  readonly channelId: string;
  readonly creator: Creator;
  readonly payload: Uint8Array;
  readonly signature: Uint8Array;
}

export function parseEnvelope(envelope: common.Envelope): ParsedEnvelope {
  const payloadBytes = envelope.getPayload_asU8();
  const header = common.Payload.deserializeBinary(payloadBytes).getHeader();
  if (!header) throw new Error('the transaction envelope has no header');
  const channelHeader = common.ChannelHeader.deserializeBinary(header.getChannelHeader_asU8());
  const signatureHeader = common.SignatureHeader.deserializeBinary(header.getSignatureHeader_asU8());
  return {
    txId: channelHeader.getTxId(),
    channelId: channelHeader.getChannelId(),
    creator: parseCreator(signatureHeader.getCreator_asU8()),
    payload: payloadBytes,
    signature: envelope.getSignature_asU8(),
  };
}

// ---- ledger queries (qscc) ----

const hexBytes = (hex: string): Buffer => Buffer.from(hex, 'hex');

/**
 * A common.Block for one of the engine's blocks: its number and hashes, the
 * signed envelopes of its transactions as they were submitted, and the
 * validation codes in TRANSACTIONS_FILTER metadata.
 */
export function fabricBlock(record: BlockRecord, envelopeOf: (txId: string) => Uint8Array | undefined, codeOf: (name: string) => number): common.Block {
  const header = new common.BlockHeader();
  header.setNumber(record.number);
  header.setPreviousHash(hexBytes(record.previousHash));
  header.setDataHash(hexBytes(record.dataHash));
  const data = new common.BlockData();
  data.setDataList(record.transactions.map((t) => envelopeOf(t.txId) ?? new Uint8Array()));
  const metadata = new common.BlockMetadata();
  const slots: Uint8Array[] = [new Uint8Array(), new Uint8Array(), new Uint8Array(), new Uint8Array(), new Uint8Array()];
  slots[common.BlockMetadataIndex.TRANSACTIONS_FILTER] = Uint8Array.from(record.transactions.map((t) => codeOf(t.validationCode)));
  metadata.setMetadataList(slots);
  const block = new common.Block();
  block.setHeader(header);
  block.setData(data);
  block.setMetadata(metadata);
  return block;
}

export function blockchainInfo(height: number, currentHash: string | undefined, previousHash: string | undefined): common.BlockchainInfo {
  const info = new common.BlockchainInfo();
  info.setHeight(height);
  if (currentHash) info.setCurrentblockhash(hexBytes(currentHash));
  if (previousHash) info.setPreviousblockhash(hexBytes(previousHash));
  return info;
}

export function processedTransaction(envelope: Uint8Array | undefined, validationCode: number): peer.ProcessedTransaction {
  const processed = new peer.ProcessedTransaction();
  if (envelope) processed.setTransactionenvelope(common.Envelope.deserializeBinary(envelope));
  processed.setValidationcode(validationCode);
  return processed;
}

export { GrpcStatus };
