import type { Member, Role } from '../../chaincode/src/domain/types';
import { get, query, type Page } from './api';
import { memberCard, useLoad, type MemberCard } from './components';
import { me, myId } from './session';

/*
 * The counterparties a field that takes a member id offers. A member may not
 * list the member roster (assertMayListMembers: only the operator and
 * auditors do), so it is offered the members it has already met: those its
 * own records name (the debtor of its receivable, the issuer and the previous
 * holder of its piece, the bank of its financing, the warehouse of its
 * receipt…), each read by id (GET /members/:id) as the Party component reads
 * them. Nobody it has not met is offered. The operator and auditors, who may
 * list members, are offered the roster (GET /members). The user may still
 * type any id: the ledger decides.
 */

/** The record fields that name a member (their values are member ids). */
const PARTY_FIELDS = [
  'creditor',
  'debtor',
  'assignee',
  'issuer',
  'holder',
  'settledTo',
  'applicant',
  'bank',
  'warehouse',
  'owner',
  'pledgee',
  'deliveredTo',
  'granter',
  'obligor',
  // Who wrote the record: for a piece or a receipt passed on, the one who passed it.
  'createdBy',
  'updatedBy',
] as const;

/** Whether a record field's value is a member id (shown as a Party). */
export const namesMember = (field: string): boolean => (PARTY_FIELDS as readonly string[]).includes(field);

/** The member ids the records name, each once. */
export function partiesIn(...lists: Array<readonly object[] | undefined>): string[] {
  const ids = new Set<string>();
  for (const list of lists) {
    for (const record of list ?? []) {
      for (const field of PARTY_FIELDS) {
        const value = (record as Partial<Record<string, unknown>>)[field];
        if (typeof value === 'string' && value) ids.add(value);
      }
    }
  }
  return [...ids].sort();
}

const byName = (a: MemberCard, b: MemberCard) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id);

/** Every ACTIVE member, page by page (GET /members: the operator's and auditors' only). */
async function roster(): Promise<MemberCard[]> {
  const all: MemberCard[] = [];
  let bookmark = '';
  do {
    const page = await get<Page<Member>>(`/members${query({ status: 'ACTIVE', pageSize: '200', bookmark })}`);
    all.push(...page.records.map((m) => ({ id: m.id, name: m.name, roles: m.roles, status: m.status })));
    bookmark = page.bookmark;
  } while (bookmark);
  return all;
}

/**
 * The ACTIVE members other than the caller it may name as a counterparty,
 * sorted by name: those `met` names for a member, the roster for the
 * operator and auditors. A member that cannot be read is left out. Read
 * again when `met` or `deps` change (the roster, when members were
 * registered, suspended or reinstated).
 */
export function useCounterparties(met: readonly string[] = [], deps: unknown[] = []): MemberCard[] {
  const self = myId();
  const listsMembers = me.value?.member.roles.some((r) => r === 'OPERATOR' || r === 'AUDITOR') ?? false;
  const key = met.join(' ');
  const found = useLoad(async () => {
    const cards = listsMembers ? await roster() : await Promise.all(met.filter((id) => id !== self).map((id) => memberCard(id)));
    return cards.filter((c): c is MemberCard => c !== undefined && c.id !== self && c.status === 'ACTIVE').sort(byName);
  }, [key, listsMembers, self, ...deps]);
  return found.data ?? [];
}

/** Those of `parties` with `role`: a field that takes a bank offers banks only. */
export const withRole = (parties: readonly MemberCard[], role: Role): MemberCard[] => parties.filter((p) => p.roles.includes(role));
