/**
 * `npm run releases:extract`: puts past releases' code (as released) where
 * the worker tests import it: Release 1 in .releases/1.0.0/, so the migration
 * tests drive Release 1 with its own queries (DESIGN §6); the release this
 * tree rolls out beside in .releases/previous/, so the contract tests meet its
 * worker and room with this tree's (DESIGN §7).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './lib/paths.ts';
import { extractRelease, releaseBeforeTree } from './lib/releases.ts';

const paths = ['worker', 'shared', 'tsconfig.json'];
const previous = releaseBeforeTree(readFileSync(join(ROOT, 'CHANGELOG.md'), 'utf8'));
for (const [version, folder] of [
  ['1.0.0', '1.0.0'],
  [previous, 'previous'],
] as const) {
  const dir = extractRelease(version, paths, folder);
  console.log(`release ${version} -> ${dir}`);
}
