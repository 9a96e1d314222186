/** Member lookups, for every feature that needs to know who a member is. */
import { eq } from 'drizzle-orm';
import type { Member } from '../../shared/index.ts';
import type { Database } from '../db/client.ts';
import { member } from '../db/schema.ts';

/** The member with `memberId` (id and nickname), or undefined when there is none. */
export function memberById(db: Database, memberId: string): Promise<Member | undefined> {
  return db.select({ id: member.id, nickname: member.nickname }).from(member).where(eq(member.id, memberId)).get();
}
