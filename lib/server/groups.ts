/**
 * Grants to groups (MSIPC grants to distribution lists): a grant whose address is a group gives
 * its rights to the group's members. Membership is resolved when a use license is issued, from
 * two sources:
 *
 * - the service's own groups (`openrms groups add|remove|members`, storage/group-store.ts),
 *   groups within groups counted up to MAX_NESTING levels deep;
 * - for a caller signed in with a token of the external OpenID Connect issuer, the addresses in
 *   its `groups` claim (access-tokens.ts), for that request only; the service's own groups that
 *   hold one of those count too. The issuer speaks for its own groups only: a claimed name this
 *   service knows as its own (a user, a principal, an address disabled or removed here, one of
 *   its groups) is ignored, or a token naming `ceo@contoso.com` as a group would get the CEO's
 *   grants, and one naming a service group would join it.
 *
 * Nothing is cached: a member removed gets no further use license, at any instance.
 */
import { invalidArgument } from '../errors';
import { normalizeEmail } from '../license/certificates';
import { ANYONE, grantedRights, Policy } from '../license/publishing-license';
import { Account } from './accounts';
import { GroupMember, GroupStore, GroupSummary } from './storage/group-store';

/**
 * Groups within groups are followed this many levels (a member of a group that is a member of
 * a group... 8 deep): deeper than distribution lists are nested in practice, and it bounds the
 * work a cycle (A in B, B in A) could cause.
 */
export const MAX_NESTING = 8;

/** Addresses named in one `groups add` or `groups remove`. */
const MAX_MEMBERS_PER_CHANGE = 10_000;

function address(value: string, argument: string): string {
  try {
    return normalizeEmail(value);
  } catch {
    throw invalidArgument(argument, `an email address (got ${JSON.stringify(value)})`);
  }
}

function addresses(values: readonly string[], argument: string): string[] {
  if (values.length > MAX_MEMBERS_PER_CHANGE) throw invalidArgument(argument, `at most ${MAX_MEMBERS_PER_CHANGE} addresses at once`);
  return [...new Set(values.map((value) => address(value, argument)))];
}

export class Groups {
  constructor(private readonly store: GroupStore, private readonly now: () => number) {}

  /** Adds members to a group (created by its first member); the number added (those already in it are not counted). */
  add(group: string, members: readonly string[]): Promise<number> {
    const name = address(group, 'group');
    const adding = addresses(members, 'member');
    if (adding.length === 0) throw invalidArgument('member', 'at least one address');
    if (adding.includes(name)) throw invalidArgument('member', `an address other than the group's own (${name})`);
    return this.store.add(name, adding, this.now());
  }

  /** Removes members from a group, or the whole group when `members` is empty; the number of members removed. */
  remove(group: string, members: readonly string[] = []): Promise<number> {
    const name = address(group, 'group');
    return this.store.remove(name, members.length === 0 ? undefined : addresses(members, 'member'));
  }

  members(group: string): Promise<GroupMember[]> {
    return this.store.members(address(group, 'group'));
  }

  list(): Promise<GroupSummary[]> {
    return this.store.list();
  }

  /**
   * The rights `policy` grants `account` directly, to ANYONE, and through the groups it is a
   * member of. The groups are looked up only when the policy names someone else (one of them
   * could be a group): a policy for its owner and ANYONE costs no query.
   */
  async rightsOf(policy: Pick<Policy, 'grants'>, account: Account): Promise<string[]> {
    const others = policy.grants.some((g) => g.who !== ANYONE && g.who !== account.email);
    if (!others) return grantedRights(policy, account.email);
    const asserted = account.groups ?? [];
    const own = new Set(await this.store.ownNames(asserted));
    const claimed = asserted.filter((name) => !own.has(name));
    const held = new Set([...claimed, ...await this.store.containing([account.email, ...claimed], MAX_NESTING)]);
    return grantedRights(policy, account.email, held);
  }
}
