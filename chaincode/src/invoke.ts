import 'reflect-metadata';
import { Context, type Contract } from 'fabric-contract-api';
import type { ChaincodeStub, ClientIdentity } from 'fabric-shim-api';
import { DomainError } from './domain/errors';
import { contracts } from './index';

/**
 * Runs our contracts in-process the way fabric-contract-api routes a Fabric
 * invocation: `<contract>:<Function>`, one string argument, a string result,
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

const registry = new Map<string, Registered>();
for (const ContractClass of contracts) {
  const contract = new ContractClass();
  const metas = (Reflect.getMetadata('fabric:transactions', ContractClass.prototype) ?? []) as TransactionMeta[];
  for (const meta of metas) {
    registry.set(`${contract.getName()}:${meta.name}`, { contract, readOnly: !(meta.tag ?? []).includes('SUBMIT') });
  }
}

/** Every transaction the chaincode exposes, with whether it is read-only (evaluate). */
export function transactionCatalogue(): { name: string; readOnly: boolean }[] {
  return [...registry.entries()].map(([name, r]) => ({ name, readOnly: r.readOnly })).sort((a, b) => a.name.localeCompare(b.name));
}

export function isReadOnlyTransaction(name: string): boolean {
  const found = registry.get(name);
  if (!found) throw new DomainError('NOT_FOUND', `no transaction ${name}`);
  return found.readOnly;
}

export async function invokeTransaction(
  env: { stub: ChaincodeStub; clientIdentity: ClientIdentity },
  name: string,
  args: string[],
): Promise<string> {
  const found = registry.get(name);
  if (!found) throw new DomainError('NOT_FOUND', `no transaction ${name}`);
  const ctx = found.contract.createContext();
  ctx.stub = env.stub;
  ctx.clientIdentity = env.clientIdentity;
  const method = (found.contract as unknown as Record<string, unknown>)[name.slice(name.indexOf(':') + 1)];
  if (typeof method !== 'function') throw new DomainError('NOT_FOUND', `no transaction ${name}`);
  await found.contract.beforeTransaction(ctx);
  const result: unknown = await (method as (c: Context, ...a: string[]) => Promise<unknown>).apply(found.contract, [ctx, ...args]);
  await found.contract.afterTransaction(ctx, result);
  return typeof result === 'string' ? result : '';
}
