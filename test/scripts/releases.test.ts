/** Which past release the worker tests meet: the release this tree rolls out beside (scripts/lib/releases.ts). */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ROOT } from '../../scripts/lib/paths.ts';
import { releaseBeforeTree, releaseLevels } from '../../scripts/lib/releases.ts';

const RELEASES =
  '## [2.0.0] - 2026-11-25 - Release 2\n\n- live rooms\n\n## [1.5.0] - 2026-11-25 - Release 1.5\n\n- the bridge\n';

describe('releaseBeforeTree', () => {
  it('is the newest release while Unreleased lists changes', () => {
    assert.equal(releaseBeforeTree(`# Changelog\n\n## Unreleased\n\n- a change\n\n${RELEASES}`), '2.0.0');
  });

  it('is the one before the newest once the tree is that release (nothing unreleased, or no Unreleased heading)', () => {
    assert.equal(releaseBeforeTree(`# Changelog\n\n## Unreleased\n\n${RELEASES}`), '1.5.0');
    assert.equal(releaseBeforeTree(`# Changelog\n\n${RELEASES}`), '1.5.0');
  });

  it('refuses a CHANGELOG without a release before the tree', () => {
    assert.throws(() => releaseBeforeTree('# Changelog\n\n## [1.0.0] - 2026-11-25 - Release 1\n'), /no release before/);
  });
});

describe('releaseLevels', () => {
  it('reads the API level each named release spoke from its code in git, and leaves out names that are no release', () => {
    const changelog = readFileSync(join(ROOT, 'CHANGELOG.md'), 'utf8');
    assert.deepEqual(
      [...releaseLevels(['v1.0.0', 'v1.5.0', 'v2.0.0', '0a1b2c3d', 'v9.9.9'], changelog)],
      [
        ['v1.0.0', 1],
        ['v1.5.0', 1],
        ['v2.0.0', 2],
      ],
    );
  });
});
