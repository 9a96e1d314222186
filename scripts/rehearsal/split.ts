/**
 * How the rehearsal router splits traffic between the old and the new worker
 * version, the way Cloudflare's gradual deployments do: a request that
 * carries a version key (`Cloudflare-Workers-Version-Key`) is hashed against
 * the percentages, so the same key lands on the same version until the
 * percentages change; a request without one is split at random. A room
 * object is assigned a version the same way by its study id, independently
 * of the version that calls it. Pure, so the router, the room host (workerd)
 * and the tests (Node) share it.
 */

/** The two versions of a rehearsal. */
export type Side = 'old' | 'new';

/** A worker version calling a room object that runs a version: `new>old` is a new worker on an old object. */
export type Meeting = `${Side}>${Side}`;

/**
 * A key's place in [0, 100), from a 32-bit FNV-1a hash: stable for a key,
 * spread evenly over keys, so "new gets p %" means keys below p.
 */
export function bucketOf(key: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return (hash % 10_000) / 100;
}

/** The version a bucket (or a random draw in [0, 100)) goes to while the new version has `newPercent`. */
export function sideFor(bucket: number, newPercent: number): Side {
  return bucket < newPercent ? 'new' : 'old';
}

/**
 * Which version's code a room object runs during a deployment, whichever
 * version calls it (Cloudflare assigns objects by the percentages, stable
 * within a deployment): hashed by its study id like a version key, among the
 * deployed versions (share above 0) that have the room class at all (Release
 * 1 has none, so its rooms run on the other version); null when no deployed
 * version has it. An object on the new version stays there as its share
 * grows, as Cloudflare keeps it when the same versions are listed in the
 * same order.
 */
export function roomSide(studyId: string, newPercent: number, hasRooms: Record<Side, boolean>): Side | null {
  const oldLive = hasRooms.old && newPercent < 100;
  const newLive = hasRooms.new && newPercent > 0;
  if (oldLive && newLive) return sideFor(bucketOf(studyId), newPercent);
  return newLive ? 'new' : oldLive ? 'old' : null;
}
