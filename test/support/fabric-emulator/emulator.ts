import { X509Certificate, type KeyObject } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { gateway, orderer, peer } from '@hyperledger/fabric-protos';
import { invokeTransaction } from '../../../chaincode/src/invoke';
import {
  type EndorsedTransaction,
  MemoryBackend,
  type StoredEvent,
  type TxInput,
  type TxStatus,
  VALIDATION_CODES,
  type ValidationCode,
  WorldState,
} from '../../../chaincode/src/worldstate';
import { Orderer } from '../../../gateway/src/ledger/embedded/orderer';
import { makeIdentity } from '../certs';
import {
  blockchainInfo,
  chaincodeAction,
  type Creator,
  fabricBlock,
  GatewayRpcError,
  GrpcStatus,
  identityProblem,
  type MspDirectory,
  type ParsedProposal,
  parseCreator,
  parseEnvelope,
  parseSignedProposal,
  type PeerSigner,
  peerKey,
  preparedTransaction,
  processedTransaction,
  proposalProblem,
  signatureProblem,
} from './protocol';
import { makeTlsServer } from './tls';

/*
 * An emulator of the Fabric peer's Gateway gRPC service (gateway.Gateway:
 * Endorse, Submit, CommitStatus, Evaluate, ChaincodeEvents) over OUR
 * embedded world-state engine. It is not Fabric: one shared world state
 * stands for the channel's ledger, the embedded Orderer cuts blocks, and
 * each organisation's "peer" is a TLS gRPC listener on 127.0.0.1 that
 * endorses with its own key. What it checks and answers follows the peer's
 * Gateway service (see README.md for what it covers and what it does not).
 */

export interface EmulatedPeerOptions {
  mspId: string;
  /** TLS host name of the peer: its certificate then names only this host (the profile's hostAlias). */
  hostAlias?: string;
}

export interface FabricGatewayEmulatorOptions {
  peers: readonly EmulatedPeerOptions[];
  channel?: string;
  chaincode?: string;
  /** MSP id → PEM CA certificates of the channel's MSPs; when given, a creator they do not recognise is refused. */
  msps?: Readonly<Record<string, readonly string[]>>;
  /** Orderer batch timeout (ms) and size: concurrent transactions share blocks, so MVCC conflicts are real. */
  batchTimeoutMs?: number;
  batchMaxTx?: number;
}

export interface EmulatedPeer {
  readonly mspId: string;
  /** `127.0.0.1:<port>` */
  readonly endpoint: string;
  readonly hostAlias: string | undefined;
  /** PEM of the CA that issued this peer's TLS certificate. */
  readonly tlsCaCertPem: string;
  /** The address this peer reports in error details. */
  readonly address: string;
}

/** Faults to inject; each counter is consumed one call at a time. */
export interface EmulatorFaults {
  /** Submit fails with UNAVAILABLE before the orderer receives the transaction. */
  submitLost: number;
  /** Submit hands the transaction to the orderer, then answers UNAVAILABLE (the orderer's reply is lost). */
  submitReplyLost: number;
  /** CommitStatus fails with UNAVAILABLE. */
  commitStatusUnavailable: number;
  /**
   * qscc's GetChainInfo reports one block fewer than committed, as a peer of
   * another org still committing the newest block would (one answer per count).
   */
  staleChainInfo: number;
}

/** A request the emulator refused, with the precise reason (a peer hides it from the client). */
export interface Refusal {
  readonly method: string;
  readonly reason: string;
}

interface Endorsed {
  readonly tx: EndorsedTransaction;
  /** Payload bytes of the prepared envelope: Submit must carry exactly these. */
  readonly payload: Buffer;
}

interface PeerRuntime extends EmulatedPeer {
  readonly signer: PeerSigner;
  readonly key: KeyObject;
  readonly server: grpc.Server;
}

type Unary<Req, Res> = (call: grpc.ServerUnaryCall<Req, Res>, signal: AbortSignal) => Promise<Res>;

const ORDERER_ADDRESS = 'orderer0.scf.emulated:7050';
const ORDERER_MSP = 'OrdererMSP';
/** Events read per page from the engine; larger than any block can hold (batchMaxTx is capped below it). */
const EVENT_PAGE = 1_000;

const codeOf = (name: string): number => VALIDATION_CODES[name as ValidationCode] ?? 255;

export class FabricGatewayEmulator {
  readonly world: WorldState;
  readonly faults: EmulatorFaults = { submitLost: 0, submitReplyLost: 0, commitStatusUnavailable: 0, staleChainInfo: 0 };
  /** Requests refused for bad signatures, unknown identities or malformed messages. */
  readonly refusals: Refusal[] = [];
  /** Failures of the emulator itself (answered INTERNAL): a test should expect none. */
  readonly internalErrors: Error[] = [];
  /** Every Submit received, by tx id, in order (a resubmission appears twice). */
  readonly submissions: string[] = [];
  readonly channel: string;
  readonly chaincode: string;

  private readonly orderer: Orderer;
  private readonly endorsed = new Map<string, Endorsed>();
  /** Signed envelopes as submitted, for blocks and qscc answers. */
  private readonly envelopes = new Map<string, Uint8Array>();
  private readonly msps: MspDirectory | undefined;
  private readonly runtimes: PeerRuntime[] = [];
  private readonly callAborts = new Set<AbortController>();
  private readonly streams = new Set<{ call: grpc.ServerWritableStream<unknown, unknown>; abort: AbortController }>();
  private readonly wakers = new Set<() => void>();
  private readonly unsubscribe: () => void;
  private generation = 0;
  private stopped = false;

  private constructor(options: FabricGatewayEmulatorOptions) {
    this.channel = options.channel ?? 'scf';
    this.chaincode = options.chaincode ?? 'scf';
    // The world state's channel is the emulated channel (the engine defaults to 'scf').
    this.world = new WorldState(new MemoryBackend(), { channelId: this.channel });
    const batchMaxTx = Math.min(options.batchMaxTx ?? 50, EVENT_PAGE - 1);
    this.orderer = new Orderer(this.world, { batchTimeoutMs: options.batchTimeoutMs ?? 5, batchMaxTx });
    this.msps = options.msps
      ? new Map(Object.entries(options.msps).map(([mspId, pems]) => [mspId, pems.map((pem) => new X509Certificate(pem))]))
      : undefined;
    this.unsubscribe = this.world.onCommit(() => {
      this.generation += 1;
      for (const wake of [...this.wakers]) wake();
    });
  }

  /** Starts one TLS gRPC listener per peer on 127.0.0.1 (port 0). */
  static async start(options: FabricGatewayEmulatorOptions): Promise<FabricGatewayEmulator> {
    if (options.peers.length === 0) throw new Error('the emulator needs at least one peer');
    const emulator = new FabricGatewayEmulator(options);
    try {
      for (const p of options.peers) await emulator.startPeer(p);
    } catch (err) {
      await emulator.stop();
      throw err;
    }
    return emulator;
  }

  get peers(): EmulatedPeer[] {
    return this.runtimes.map(({ mspId, endpoint, hostAlias, tlsCaCertPem, address }) => ({ mspId, endpoint, hostAlias, tlsCaCertPem, address }));
  }

  peer(mspId: string): EmulatedPeer {
    const found = this.peers.find((p) => p.mspId === mspId);
    if (!found) throw new Error(`no emulated peer for ${mspId}`);
    return found;
  }

  /** Ends every open ChaincodeEvents stream with UNAVAILABLE, as a peer restart would. */
  breakEventStreams(): number {
    const open = [...this.streams];
    for (const s of open) {
      s.abort.abort();
      s.call.emit('error', new GatewayRpcError(GrpcStatus.UNAVAILABLE, 'emulator: event stream broken on purpose').toServiceError());
    }
    return open.length;
  }

  get openEventStreams(): number {
    return this.streams.size;
  }

  /** Stops every listener and the orderer; pending calls are cancelled. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const s of this.streams) s.abort.abort();
    for (const a of this.callAborts) a.abort();
    for (const r of this.runtimes) r.server.forceShutdown();
    await this.orderer.close();
    this.unsubscribe();
  }

  // ---- listeners ----

  private async startPeer(options: EmulatedPeerOptions): Promise<void> {
    const org = options.mspId.replace(/MSP$/, '').toLowerCase();
    const [tls, identity] = await Promise.all([makeTlsServer(options.mspId, options.hostAlias), makeIdentity(options.mspId, `peer0.${org}`, 'peer')]);
    const server = new grpc.Server();
    const credentials = grpc.ServerCredentials.createSsl(null, [{ private_key: Buffer.from(tls.keyPem), cert_chain: Buffer.from(tls.certPem) }], false);
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', credentials, (err, p) => (err ? reject(err) : resolve(p))),
    );
    const endpoint = `127.0.0.1:${port}`;
    const signer: PeerSigner = { mspId: options.mspId, certificatePem: identity.certificatePem, privateKeyPem: identity.privateKeyPem };
    const runtime: PeerRuntime = {
      mspId: options.mspId,
      endpoint,
      hostAlias: options.hostAlias,
      tlsCaCertPem: tls.caCertPem,
      address: options.hostAlias ? `${options.hostAlias}:${port}` : endpoint,
      signer,
      key: peerKey(signer),
      server,
    };
    const service: gateway.IGatewayServer = {
      endorse: this.unary('Endorse', (call) => this.endorse(runtime, call.request)),
      submit: this.unary('Submit', (call) => this.submit(call.request)),
      commitStatus: this.unary('CommitStatus', (call, signal) => this.commitStatus(call.request, signal)),
      evaluate: this.unary('Evaluate', (call) => this.evaluate(runtime, call.request)),
      chaincodeEvents: (call) => {
        void this.chaincodeEvents(call);
      },
    };
    server.addService(gateway.GatewayService, service);
    this.runtimes.push(runtime);
  }

  private unary<Req, Res>(method: string, handler: Unary<Req, Res>): grpc.handleUnaryCall<Req, Res> {
    return (call, callback) => {
      const abort = new AbortController();
      this.callAborts.add(abort);
      call.on('cancelled', () => abort.abort());
      const done = () => this.callAborts.delete(abort);
      if (this.stopped) {
        done();
        callback(new GatewayRpcError(GrpcStatus.UNAVAILABLE, 'emulator stopped').toServiceError());
        return;
      }
      handler(call, abort.signal).then(
        (response) => {
          done();
          callback(null, response);
        },
        (err: unknown) => {
          done();
          callback(this.toServiceError(method, err));
        },
      );
    };
  }

  private toServiceError(method: string, err: unknown): Partial<grpc.ServiceError> {
    if (err instanceof GatewayRpcError) return err.toServiceError();
    const error = err instanceof Error ? err : new Error(String(err));
    this.internalErrors.push(error);
    return new GatewayRpcError(GrpcStatus.INTERNAL, `emulator failure in ${method}: ${error.message}`).toServiceError();
  }

  private refuse(method: string, reason: string): void {
    this.refusals.push({ method, reason });
  }

  // ---- Endorse / Evaluate ----

  private unpackProposal(method: string, signed: peer.SignedProposal | undefined): ParsedProposal {
    try {
      return parseSignedProposal(signed);
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      this.refuse(method, reason);
      throw new GatewayRpcError(GrpcStatus.INVALID_ARGUMENT, `failed to unpack transaction proposal: ${reason}`);
    }
  }

  /** The endorser's checks; the reason is logged, the client gets the peer's terse "access denied". */
  private validationFailure(method: string, runtime: PeerRuntime, p: ParsedProposal): string | undefined {
    const problem = proposalProblem(p, this.msps);
    if (problem === undefined) return undefined;
    this.refuse(method, problem);
    return problem.startsWith('invalid txid') || problem.startsWith('invalid header')
      ? `error validating proposal: ${problem}`
      : `error validating proposal: access denied: channel [${p.channelId}] creator org [${p.creator.mspId}]`;
  }

  private txInput(p: ParsedProposal): TxInput {
    return {
      txId: p.txId,
      timestamp: p.timestamp,
      creator: { mspId: p.creator.mspId, certificatePem: p.creator.certificatePem },
      channelId: p.channelId,
      fnName: p.fnName,
      args: p.args,
      transient: p.transient,
    };
  }

  private simulate(p: ParsedProposal) {
    return this.world.simulate(this.txInput(p), (ctx) => invokeTransaction(ctx, p.fnName, p.args));
  }

  private async endorse(runtime: PeerRuntime, request: gateway.EndorseRequest): Promise<gateway.EndorseResponse> {
    const p = this.unpackProposal('Endorse', request.getProposedTransaction());
    if (p.channelId !== this.channel) {
      throw new GatewayRpcError(GrpcStatus.FAILED_PRECONDITION, `no peers available on channel ${p.channelId}`);
    }
    if (p.chaincodeName !== this.chaincode) {
      throw new GatewayRpcError(GrpcStatus.FAILED_PRECONDITION, `chaincode ${p.chaincodeName} is not defined on channel ${p.channelId}`);
    }
    const failure = (message: string) =>
      new GatewayRpcError(GrpcStatus.ABORTED, 'failed to endorse transaction, see attached details for more info', [
        { address: runtime.address, mspId: runtime.mspId, message },
      ]);
    const invalid = this.validationFailure('Endorse', runtime, p);
    if (invalid) throw failure(invalid);
    const simulation = await this.simulate(p);
    if (simulation.status === 'FAILED') throw failure(`chaincode response 500, ${simulation.error.message}`);
    const envelope = preparedTransaction(p, chaincodeAction(this.chaincode, simulation), runtime.signer, runtime.key);
    this.endorsed.set(p.txId, { tx: simulation, payload: Buffer.from(envelope.getPayload_asU8()) });
    const response = new gateway.EndorseResponse();
    response.setPreparedTransaction(envelope);
    return response;
  }

  private async evaluate(runtime: PeerRuntime, request: gateway.EvaluateRequest): Promise<gateway.EvaluateResponse> {
    const p = this.unpackProposal('Evaluate', request.getProposedTransaction());
    if (p.channelId !== this.channel) {
      throw new GatewayRpcError(GrpcStatus.FAILED_PRECONDITION, `no peers available on channel ${p.channelId}`);
    }
    if (p.chaincodeName !== this.chaincode && p.chaincodeName !== 'qscc') {
      throw new GatewayRpcError(GrpcStatus.FAILED_PRECONDITION, `no peers available to evaluate chaincode ${p.chaincodeName} in channel ${p.channelId}`);
    }
    const detail = (message: string) => [{ address: runtime.address, mspId: runtime.mspId, message }];
    const invalid = this.validationFailure('Evaluate', runtime, p);
    if (invalid) {
      throw new GatewayRpcError(GrpcStatus.FAILED_PRECONDITION, `evaluate call to endorser returned error: ${invalid}`, detail(invalid));
    }
    let payload: Uint8Array;
    try {
      payload = p.chaincodeName === 'qscc' ? await this.qscc(p) : await this.evaluateChaincode(p);
    } catch (err) {
      if (!(err instanceof ChaincodeFailure)) throw err;
      const message = `chaincode response 500, ${err.message}`;
      throw new GatewayRpcError(GrpcStatus.UNKNOWN, `evaluate call to endorser returned error: ${message}`, detail(message));
    }
    const result = new peer.Response();
    result.setStatus(200);
    result.setPayload(payload);
    const response = new gateway.EvaluateResponse();
    response.setResult(result);
    return response;
  }

  private async evaluateChaincode(p: ParsedProposal): Promise<Uint8Array> {
    const simulation = await this.simulate(p);
    if (simulation.status === 'FAILED') throw new ChaincodeFailure(simulation.error.message);
    return Buffer.from(String(simulation.result), 'utf8');
  }

  /** The ledger queries of the query system chaincode that a client uses. */
  private async qscc(p: ParsedProposal): Promise<Uint8Array> {
    const [channel, arg] = p.args;
    if (channel !== this.channel) throw new ChaincodeFailure(`Invalid chain ID, ${channel ?? ''}`);
    switch (p.fnName) {
      case 'GetChainInfo': {
        let height = await this.world.height();
        if (this.faults.staleChainInfo > 0 && height > 0) {
          this.faults.staleChainInfo -= 1;
          height -= 1;
        }
        const last = height > 0 ? await this.world.getBlock(height - 1) : undefined;
        return blockchainInfo(height, last?.hash, last?.previousHash).serializeBinary();
      }
      case 'GetBlockByNumber': {
        const n = Number(arg);
        const record = Number.isSafeInteger(n) && n >= 0 ? await this.world.getBlock(n) : undefined;
        if (!record) throw new ChaincodeFailure(`Failed to get block number ${arg ?? ''}, error entry not found`);
        return this.block(record.number);
      }
      case 'GetBlockByTxID': {
        const status = arg ? await this.world.getTransactionStatus(arg) : undefined;
        if (!status) throw new ChaincodeFailure(`Failed to get block for txID ${arg ?? ''}, error entry not found in index`);
        return this.block(status.blockNumber);
      }
      case 'GetTransactionByID': {
        const status = arg ? await this.world.getTransactionStatus(arg) : undefined;
        if (!status) throw new ChaincodeFailure(`Failed to get transaction with id ${arg ?? ''}, error entry not found in index`);
        return processedTransaction(this.envelopes.get(status.txId), codeOf(status.validationCode)).serializeBinary();
      }
      default:
        throw new ChaincodeFailure(`Requested function ${p.fnName} not found.`);
    }
  }

  /**
   * Every block as qscc serves it (common.Block with the submitted envelopes),
   * for tests proving what a transaction put on the ledger.
   */
  async blocks(): Promise<Uint8Array[]> {
    const out: Uint8Array[] = [];
    for (let n = 0; n < (await this.world.height()); n++) out.push(await this.block(n));
    return out;
  }

  private async block(blockNumber: number): Promise<Uint8Array> {
    const record = await this.world.getBlock(blockNumber);
    if (!record) throw new ChaincodeFailure(`Failed to get block number ${blockNumber}, error entry not found`);
    return fabricBlock(record, (txId) => this.envelopes.get(txId), codeOf).serializeBinary();
  }

  // ---- Submit / CommitStatus ----

  // eslint-disable-next-line @typescript-eslint/require-await -- async so every refusal becomes a rejection
  private async submit(request: gateway.SubmitRequest): Promise<gateway.SubmitResponse> {
    const envelope = request.getPreparedTransaction();
    if (!envelope) throw new GatewayRpcError(GrpcStatus.INVALID_ARGUMENT, 'a prepared transaction is required');
    if (envelope.getSignature_asU8().length === 0) throw new GatewayRpcError(GrpcStatus.INVALID_ARGUMENT, 'prepared transaction must be signed');
    if (request.getChannelId() !== this.channel) {
      throw new GatewayRpcError(GrpcStatus.FAILED_PRECONDITION, `no orderers configured for channel ${request.getChannelId()}`);
    }
    const rejected = (status: string, info: string) => {
      this.refuse('Submit', info);
      return new GatewayRpcError(GrpcStatus.ABORTED, `received unsuccessful response from orderer: status=${status}, info=${info}`);
    };
    let parsed: ReturnType<typeof parseEnvelope>;
    try {
      parsed = parseEnvelope(envelope);
    } catch (err) {
      throw rejected('BAD_REQUEST', err instanceof Error ? err.message : String(err));
    }
    if (this.faults.submitLost > 0) {
      this.faults.submitLost -= 1;
      throw this.ordererUnavailable();
    }
    // The orderer's signature filter: the envelope must be signed by its creator, a channel member.
    const problem = identityProblem(parsed.creator, this.msps) ?? signatureProblem(parsed.creator, parsed.payload, parsed.signature);
    if (problem) throw rejected('FORBIDDEN', `implicit policy evaluation failed: ${problem}`);
    const endorsed = this.endorsed.get(parsed.txId);
    // Decision: the emulator orders only what it endorsed, byte for byte (a real
    // orderer would order anything well signed and let the committer reject it).
    if (!endorsed || !endorsed.payload.equals(Buffer.from(parsed.payload))) {
      throw rejected('BAD_REQUEST', `emulator: transaction ${parsed.txId} does not match any endorsement of this emulator`);
    }
    this.submissions.push(parsed.txId);
    if (!this.envelopes.has(parsed.txId)) this.envelopes.set(parsed.txId, envelope.serializeBinary());
    // A failed block commit is an emulator failure: it surfaces through CommitStatus never answering,
    // and is recorded here for the tests.
    this.orderer.order(endorsed.tx).catch((err: unknown) => {
      if (!this.stopped) this.internalErrors.push(err instanceof Error ? err : new Error(String(err)));
    });
    if (this.faults.submitReplyLost > 0) {
      this.faults.submitReplyLost -= 1;
      throw this.ordererUnavailable();
    }
    return new gateway.SubmitResponse();
  }

  private ordererUnavailable(): GatewayRpcError {
    return new GatewayRpcError(GrpcStatus.UNAVAILABLE, 'no orderers could successfully process transaction', [
      { address: ORDERER_ADDRESS, mspId: ORDERER_MSP, message: 'rpc error: code = Unavailable desc = emulated orderer outage' },
    ]);
  }

  private async commitStatus(signed: gateway.SignedCommitStatusRequest, signal: AbortSignal): Promise<gateway.CommitStatusResponse> {
    const bytes = signed.getRequest_asU8();
    if (bytes.length === 0) throw new GatewayRpcError(GrpcStatus.INVALID_ARGUMENT, 'a commit status request is required');
    const request = gateway.CommitStatusRequest.deserializeBinary(bytes);
    this.checkSignedRequest('CommitStatus', request.getIdentity_asU8(), bytes, signed.getSignature_asU8());
    if (request.getChannelId() !== this.channel) {
      throw new GatewayRpcError(GrpcStatus.FAILED_PRECONDITION, `channel ${request.getChannelId()} not found`);
    }
    if (this.faults.commitStatusUnavailable > 0) {
      this.faults.commitStatusUnavailable -= 1;
      throw new GatewayRpcError(GrpcStatus.UNAVAILABLE, 'emulator: commit status unavailable on purpose');
    }
    // The peer answers once the transaction is committed; until then it waits (the client's deadline bounds it).
    const status = await this.waitForStatus(request.getTransactionId(), signal);
    if (!status) throw new GatewayRpcError(GrpcStatus.CANCELLED, 'commit status request cancelled');
    const response = new gateway.CommitStatusResponse();
    response.setResult(codeOf(status.validationCode) as peer.TxValidationCodeMap[keyof peer.TxValidationCodeMap]);
    response.setBlockNumber(status.blockNumber);
    return response;
  }

  /** The ACL check of a signed request: the identity inside it must have signed its bytes. */
  private checkSignedRequest(method: string, identity: Uint8Array, bytes: Uint8Array, signature: Uint8Array): Creator {
    let creator: Creator;
    try {
      creator = parseCreator(identity);
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      this.refuse(method, reason);
      throw new GatewayRpcError(GrpcStatus.PERMISSION_DENIED, `access denied: ${reason}`);
    }
    const problem = identityProblem(creator, this.msps) ?? signatureProblem(creator, bytes, signature);
    if (problem) {
      this.refuse(method, problem);
      throw new GatewayRpcError(GrpcStatus.PERMISSION_DENIED, `access denied: channel [${this.channel}] creator org [${creator.mspId}]`);
    }
    return creator;
  }

  private async waitForStatus(txId: string, signal: AbortSignal): Promise<TxStatus | undefined> {
    for (;;) {
      const seen = this.generation;
      const status = await this.world.getTransactionStatus(txId);
      if (status) return status;
      if (signal.aborted || this.stopped) return undefined;
      await this.nextCommit(seen, signal);
    }
  }

  /** Resolves at the next commit after generation `seen`, or when `signal` aborts. */
  private nextCommit(seen: number, signal: AbortSignal): Promise<void> {
    if (this.generation !== seen || signal.aborted) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const wake = () => {
        this.wakers.delete(wake);
        signal.removeEventListener('abort', wake);
        resolve();
      };
      this.wakers.add(wake);
      signal.addEventListener('abort', wake, { once: true });
    });
  }

  // ---- ChaincodeEvents ----

  private async chaincodeEvents(call: grpc.ServerWritableStream<gateway.SignedChaincodeEventsRequest, gateway.ChaincodeEventsResponse>): Promise<void> {
    const abort = new AbortController();
    const entry = { call: call as grpc.ServerWritableStream<unknown, unknown>, abort };
    this.streams.add(entry);
    call.on('cancelled', () => abort.abort());
    try {
      if (this.stopped) throw new GatewayRpcError(GrpcStatus.UNAVAILABLE, 'emulator stopped');
      await this.streamEvents(call, abort.signal);
    } catch (err) {
      if (!abort.signal.aborted) call.emit('error', this.toServiceError('ChaincodeEvents', err));
    } finally {
      this.streams.delete(entry);
      if (!abort.signal.aborted) call.end();
    }
  }

  private async streamEvents(
    call: grpc.ServerWritableStream<gateway.SignedChaincodeEventsRequest, gateway.ChaincodeEventsResponse>,
    signal: AbortSignal,
  ): Promise<void> {
    const signed = call.request;
    const bytes = signed.getRequest_asU8();
    if (bytes.length === 0) throw new GatewayRpcError(GrpcStatus.INVALID_ARGUMENT, 'a chaincode events request is required');
    const request = gateway.ChaincodeEventsRequest.deserializeBinary(bytes);
    this.checkSignedRequest('ChaincodeEvents', request.getIdentity_asU8(), bytes, signed.getSignature_asU8());
    if (request.getChannelId() !== this.channel) throw new GatewayRpcError(GrpcStatus.NOT_FOUND, `channel ${request.getChannelId()} not found`);

    let next = await this.startBlock(request);
    const wanted = request.getChaincodeId();
    // As the peer does: skip every event up to and including the first one of `after`.
    const after = request.getAfterTransactionId();
    let passed = after === '';
    const matches = (e: StoredEvent): boolean => {
      if (!passed) {
        if (e.txId === after) passed = true;
        return false;
      }
      return wanted === this.chaincode;
    };

    while (!signal.aborted && !this.stopped) {
      const seen = this.generation;
      const height = await this.world.height();
      const page = next < height ? await this.world.eventsSince(next, undefined, EVENT_PAGE) : [];
      const full = page.length === EVENT_PAGE;
      const blocks = groupByBlock(page);
      // A full page may end inside a block: leave that block for the next page.
      if (full && blocks.length > 1) blocks.pop();
      for (const [blockNumber, events] of blocks) {
        const matching = events.filter(matches);
        next = blockNumber + 1;
        if (matching.length === 0) continue;
        if (signal.aborted) return;
        await this.send(call, blockNumber, matching, signal);
      }
      if (!full) {
        next = Math.max(next, height);
        await this.nextCommit(seen, signal);
      }
    }
  }

  private async startBlock(request: gateway.ChaincodeEventsRequest): Promise<number> {
    const after = request.getAfterTransactionId();
    if (after !== '') {
      const status = await this.world.getTransactionStatus(after);
      if (status) return status.blockNumber;
    }
    const position = request.getStartPosition();
    const kind = position?.getTypeCase() ?? orderer.SeekPosition.TypeCase.TYPE_NOT_SET;
    switch (kind) {
      case orderer.SeekPosition.TypeCase.SPECIFIED:
        return position?.getSpecified()?.getNumber() ?? 0;
      case orderer.SeekPosition.TypeCase.NEXT_COMMIT:
      case orderer.SeekPosition.TypeCase.TYPE_NOT_SET:
        return this.world.height();
      default:
        // The peer's Gateway accepts only NextCommit and Specified for chaincode events.
        throw new GatewayRpcError(GrpcStatus.INVALID_ARGUMENT, `invalid start position type: ${positionName(kind)}`);
    }
  }

  private async send(
    call: grpc.ServerWritableStream<gateway.SignedChaincodeEventsRequest, gateway.ChaincodeEventsResponse>,
    blockNumber: number,
    events: StoredEvent[],
    signal: AbortSignal,
  ): Promise<void> {
    const response = new gateway.ChaincodeEventsResponse();
    response.setBlockNumber(blockNumber);
    response.setEventsList(
      events.map((e) => {
        const event = new peer.ChaincodeEvent();
        event.setChaincodeId(this.chaincode);
        event.setTxId(e.txId);
        event.setEventName(e.name);
        event.setPayload(e.payload);
        return event;
      }),
    );
    if (call.write(response)) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        call.off('drain', done);
        signal.removeEventListener('abort', done);
        resolve();
      };
      call.on('drain', done);
      signal.addEventListener('abort', done, { once: true });
    });
  }
}

/** A chaincode (or system chaincode) answered with an error response (status 500). */
class ChaincodeFailure extends Error {
  override readonly name = 'ChaincodeFailure';
}

function groupByBlock(events: readonly StoredEvent[]): Array<[number, StoredEvent[]]> {
  const groups: Array<[number, StoredEvent[]]> = [];
  for (const e of events) {
    const last = groups[groups.length - 1];
    if (last && last[0] === e.blockNumber) last[1].push(e);
    else groups.push([e.blockNumber, [e]]);
  }
  return groups;
}

function positionName(kind: number): string {
  const entry = Object.entries(orderer.SeekPosition.TypeCase).find(([, v]) => (v as number) === kind);
  return entry ? entry[0] : String(kind);
}
