/** Which past release the worker tests meet: the release this tree rolls out beside (scripts/lib/releases.ts). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { releaseBeforeTree } from '../../scripts/lib/releases.ts';

const RELEASES = '## [2.0.0] - 2026-11-25 - Release 2\n\n- live rooms\n\n## [1.5.0] - 2026-11-25 - Release 1.5\n\n- the bridge\n';

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
