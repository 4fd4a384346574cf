import 'reflect-metadata';
import { Context, type Contract } from 'fabric-contract-api';
import type { ChaincodeStub, ClientIdentity } from 'fabric-shim-api';
import { DomainError } from './domain/errors';
import { contracts } from './index';

/**
 * Runs contracts in-process the way fabric-contract-api routes a Fabric
 * invocation: `<contract>:<Function>`, the string arguments, a string result,
 * beforeTransaction / afterTransaction hooks around the call. The embedded
 * ledger and the contract tests call this with a stub that keeps Fabric's
 * semantics, so the chaincode under test is the chaincode that is deployed.
 */
interface TransactionMeta {
  name: string;
  tag?: string[];
}

interface Registered {
  contract: Contract;
  readOnly: boolean;
}

/** What a transaction runs with: the stub and the caller, as in fabric-contract-api's Context. */
export interface InvocationEnv {
  stub: ChaincodeStub;
  clientIdentity: ClientIdentity;
}

/** Routes `<contract>:<Function>` calls to the transactions of a set of contracts. */
export interface Dispatcher {
  invoke(env: InvocationEnv, name: string, args: string[]): Promise<string>;
  isReadOnly(name: string): boolean;
  /** Every transaction, with whether it is read-only (evaluate), sorted by name. */
  catalogue(): { name: string; readOnly: boolean }[];
}

/**
 * A dispatcher over `contractClasses` (each constructed once): the
 * transactions are those fabric-contract-api's decorators registered, and a
 * transaction is read-only unless it is tagged SUBMIT.
 */
export function createDispatcher(contractClasses: ReadonlyArray<new () => Contract>): Dispatcher {
  const registry = new Map<string, Registered>();
  for (const ContractClass of contractClasses) {
    const contract = new ContractClass();
    const metas = (Reflect.getMetadata('fabric:transactions', ContractClass.prototype as object) ?? []) as TransactionMeta[];
    for (const meta of metas) {
      registry.set(`${contract.getName()}:${meta.name}`, { contract, readOnly: !(meta.tag ?? []).includes('SUBMIT') });
    }
  }

  const lookup = (name: string): Registered => {
    const found = registry.get(name);
    if (!found) throw new DomainError('NOT_FOUND', `no transaction ${name}`);
    return found;
  };

  return {
    catalogue: () =>
      [...registry.entries()].map(([name, r]) => ({ name, readOnly: r.readOnly })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
    isReadOnly: (name) => lookup(name).readOnly,
    async invoke(env, name, args) {
      const found = lookup(name);
      const ctx = found.contract.createContext();
      ctx.stub = env.stub;
      ctx.clientIdentity = env.clientIdentity;
      const method = (found.contract as unknown as Record<string, unknown>)[name.slice(name.indexOf(':') + 1)];
      if (typeof method !== 'function') throw new DomainError('NOT_FOUND', `no transaction ${name}`);
      await found.contract.beforeTransaction(ctx);
      const result: unknown = await (method as (c: Context, ...a: string[]) => Promise<unknown>).apply(found.contract, [ctx, ...args]);
      await found.contract.afterTransaction(ctx, result);
      return typeof result === 'string' ? result : '';
    },
  };
}

/** The SCF chaincode's contracts. */
const chaincode = createDispatcher(contracts);

/** Every transaction the chaincode exposes, with whether it is read-only (evaluate). */
export function transactionCatalogue(): { name: string; readOnly: boolean }[] {
  return chaincode.catalogue();
}

export function isReadOnlyTransaction(name: string): boolean {
  return chaincode.isReadOnly(name);
}

export function invokeTransaction(env: InvocationEnv, name: string, args: string[]): Promise<string> {
  return chaincode.invoke(env, name, args);
}
