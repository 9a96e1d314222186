/**
 * `npm run releases:extract`: puts Release 1's worker code (as released) in
 * .releases/1.0.0/, so the migration tests drive Release 1 with its own
 * queries while this tree is Release 2 (DESIGN §6).
 */
import { extractRelease } from './lib/releases.ts';

for (const version of ['1.0.0']) {
  const dir = extractRelease(version, ['worker', 'shared', 'tsconfig.json']);
  console.log(`release ${version} -> ${dir}`);
}
