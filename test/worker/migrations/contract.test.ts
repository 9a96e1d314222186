/**
 * The contract step (migrations-contract/0006_contract_v1.sql) applies cleanly
 * after 0001 + 0002, leaves only `member` and the v2 shape, passes the
 * migration check as a contract step after migrations/, and Release 2 still
 * runs a whole solo study through the v1 API afterwards.
 */
import { applyD1Migrations, env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { checkMigrations, isContractStep } from '../../../scripts/lib/migration-check.ts';
import type { StudyRecords } from '../../../shared/index.ts';
import { createStudy, finishOneCycleSolo, ok, PLAN, RETRO, signUp, v1App } from '../v1/client.ts';
import { EXPAND_V2, migrateTo } from './shapes.ts';

describe('contract migration 0006', () => {
  it('is a contract step that passes the migration check after migrations/', () => {
    expect(env.CONTRACT_SQL.map((file) => file.name)).toEqual(['0006_contract_v1.sql']);
    const [contract] = env.CONTRACT_SQL;
    expect(isContractStep(contract?.sql ?? '')).toBe(true);
    expect(checkMigrations([...env.MIGRATION_SQL, ...env.CONTRACT_SQL])).toEqual([]);
  });

  it('drops the v1 shape after 0001 + 0002, and a solo study still runs on Release 2', async () => {
    await migrateTo(EXPAND_V2, { fresh: true });
    const api = v1App();
    const before = await signUp(api, 'before');
    const earlier = await createStudy(api, before.token, { totalCycles: 1, minutesPerCycle: 20 });
    await applyD1Migrations(env.DB, env.CONTRACT_MIGRATIONS);

    const { results } = await env.DB.prepare(
      "SELECT type, name FROM sqlite_master WHERE type IN ('table', 'view', 'trigger') AND name NOT LIKE '\\_%' ESCAPE '\\' AND name NOT LIKE 'sqlite_%' AND name != 'd1_migrations' ORDER BY name",
    ).all<{ type: string; name: string }>();
    expect(results).toEqual(
      ['content', 'member', 'participant', 'participant_code_v2', 'study'].map((name) => ({ type: 'table', name })),
    );

    const { token } = await signUp(api);
    const page = await finishOneCycleSolo(api, token);
    const records = await ok<StudyRecords>(api.call('GET', `/studies/${page.study.id}/records`, undefined, token));
    expect(records.participants[0]?.cycles).toEqual([{ cycle: 1, plan: PLAN, retrospect: RETRO }]);
    // A study made before the contract is still there for its learner.
    await ok(api.call('GET', `/studies/${earlier.study.id}`, undefined, before.token));
  });
});
