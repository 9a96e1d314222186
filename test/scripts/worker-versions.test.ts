/** Worker versions as assets:gc reads them: the build in a version's message, and the current deployment. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CLIENT_BUILD } from '../../scripts/lib/release-plan.ts';
import {
  buildOfMessage,
  deployedVersionIds,
  deploymentListSchema,
  versionListSchema,
  versionMessage,
  workerVersions,
} from '../../scripts/lib/worker-versions.ts';

describe('version messages', () => {
  it('name the build a version serves, and read it back', () => {
    assert.equal(versionMessage('Release 2.1.0', '0123456789abcdef'), 'Release 2.1.0 (build 0123456789abcdef)');
    assert.equal(buildOfMessage('Release 2.1.0 (build 0123456789abcdef)'), '0123456789abcdef');
  });

  it('name no build for older releases, hand-typed messages, or the unfilled placeholder', () => {
    assert.equal(buildOfMessage('Release 2.0.0'), undefined);
    assert.equal(buildOfMessage('hotfix (build soon) for the login page'), undefined);
    assert.equal(buildOfMessage(versionMessage('Release 2.1.0', CLIENT_BUILD)), undefined);
    assert.equal(buildOfMessage(undefined), undefined);
  });
});

describe('wrangler JSON', () => {
  it('reads each listed version with the build its message names, ignoring the fields gc does not use', () => {
    const list = versionListSchema.parse([
      {
        id: 'v1',
        number: 1,
        metadata: { author_email: 'ops@example.com', source: 'wrangler', created_on: '2026-11-01T00:00:00.000Z' },
        annotations: { 'workers/message': 'Release 2.0.0', 'workers/tag': 'v2.0.0', 'workers/triggered_by': 'upload' },
      },
      {
        id: 'v2',
        number: 2,
        metadata: { source: 'dashboard', created_on: '2026-11-02T00:00:00.000Z' },
        annotations: { 'workers/message': 'Release 2.1.0 (build 0123456789abcdef)', 'workers/pull_request_number': 7 },
      },
      { id: 'v3', number: 3, metadata: { created_on: '2026-11-03T00:00:00.000Z' } },
    ]);
    assert.deepEqual(workerVersions(list), [
      { id: 'v1', createdOn: '2026-11-01T00:00:00.000Z', tag: 'v2.0.0', build: undefined },
      { id: 'v2', createdOn: '2026-11-02T00:00:00.000Z', tag: undefined, build: '0123456789abcdef' },
      { id: 'v3', createdOn: '2026-11-03T00:00:00.000Z', tag: undefined, build: undefined },
    ]);
  });

  it('takes the deployed versions from the newest deployment, whatever the order', () => {
    const deployment = (day: number, ids: string[]) => ({
      id: `d${day}`,
      created_on: `2026-11-0${day}T00:00:00.000Z`,
      versions: ids.map((version_id) => ({ version_id, percentage: 100 / ids.length })),
    });
    const list = deploymentListSchema.parse([
      deployment(3, ['v2', 'v3']),
      deployment(1, ['v1']),
      deployment(2, ['v2']),
    ]);
    assert.deepEqual(deployedVersionIds(list), ['v2', 'v3']);
    assert.deepEqual(deployedVersionIds([]), []);
  });
});
