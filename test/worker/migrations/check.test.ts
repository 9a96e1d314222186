/**
 * The migration check (scripts/lib/migration-check.ts): what it rejects and
 * allows, on fixtures, and that the real migrations/ pass it, trigger bodies
 * included, in the form remote D1 accepts.
 */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import {
  CONTRACT_MARKER,
  checkMigrations,
  isContractStep,
  type MigrationFile,
} from '../../../scripts/lib/migration-check.ts';

const BASE: MigrationFile = {
  name: '0001_base.sql',
  sql: [
    '-- the previous release reads these',
    'CREATE TABLE pomodoro_study (id TEXT PRIMARY KEY NOT NULL, name TEXT NOT NULL, CHECK (length(name) > 0));',
    'CREATE TABLE "member" (id TEXT PRIMARY KEY, [unique] TEXT, nickname TEXT NOT NULL, UNIQUE (nickname));',
    'CREATE INDEX member_nickname ON member (nickname);',
  ].join('\n'),
};

/** The problems of BASE followed by `sql` as the next migration. */
function check(sql: string, name = '0002_next.sql') {
  return checkMigrations([BASE, { name, sql }]);
}

describe('checkMigrations: drops and renames', () => {
  it.each([
    ['DROP TABLE', 'DROP TABLE pomodoro_study;', 'DROP TABLE pomodoro_study drops a table'],
    [
      'DROP TABLE IF EXISTS, schema and quotes',
      'drop table if exists main."POMODORO_STUDY"',
      'DROP TABLE pomodoro_study drops a table',
    ],
    ['ALTER TABLE ... DROP COLUMN', 'ALTER TABLE member DROP COLUMN nickname;', 'DROP COLUMN nickname drops a column'],
    ['ALTER TABLE ... DROP (no COLUMN)', 'ALTER TABLE member DROP nickname;', 'DROP COLUMN nickname drops a column'],
    [
      'a quoted column named like a keyword',
      'ALTER TABLE member DROP COLUMN "unique";',
      'DROP COLUMN unique drops a column',
    ],
    ['ALTER TABLE ... RENAME TO', 'ALTER TABLE pomodoro_study RENAME TO study;', 'RENAME TO study renames a table'],
    [
      'RENAME COLUMN',
      'ALTER TABLE member RENAME COLUMN nickname TO name;',
      'RENAME COLUMN nickname TO name renames a column',
    ],
    [
      'RENAME (no COLUMN)',
      'ALTER TABLE member RENAME nickname TO name;',
      'RENAME COLUMN nickname TO name renames a column',
    ],
  ])('rejects %s of what an earlier migration created', (_, sql, message) => {
    const problems = check(sql);
    expect(problems).toHaveLength(1);
    expect(problems[0]?.migration).toBe('0002_next.sql');
    expect(problems[0]?.message).toContain(message);
    expect(problems[0]?.message).toContain('0001_base.sql created');
    expect(problems[0]?.message).toContain(CONTRACT_MARKER);
  });

  it('allows the same drops and renames in a migration marked as a contract step', () => {
    const sql = `${CONTRACT_MARKER}: Release 1 has had no traffic since 2026-12-01\nALTER TABLE member DROP COLUMN nickname;\nALTER TABLE member RENAME COLUMN "unique" TO u;\nDROP TABLE pomodoro_study;`;
    expect(isContractStep(sql)).toBe(true);
    expect(check(sql)).toEqual([]);
  });

  it('needs the marker on the first line, and only the marker', () => {
    expect(check(`-- tidy up\n${CONTRACT_MARKER}\nDROP TABLE pomodoro_study;`)).toHaveLength(1);
    expect(check(`-- haru:contracts\nDROP TABLE pomodoro_study;`)).toHaveLength(1);
    expect(isContractStep(`  ${CONTRACT_MARKER}\n`)).toBe(true);
  });

  it('lets a migration drop and rename what it created itself', () => {
    const sql = [
      'CREATE TABLE tmp (a, b);',
      'ALTER TABLE tmp RENAME COLUMN a TO c;',
      'ALTER TABLE tmp DROP COLUMN b;',
      'ALTER TABLE tmp RENAME TO tmp2;',
      'DROP TABLE tmp2;',
      'ALTER TABLE member ADD COLUMN scratch TEXT;',
      'ALTER TABLE member DROP COLUMN scratch;',
    ].join('\n');
    expect(check(sql)).toEqual([]);
  });

  it('still guards a column added by an earlier migration, naming that one', () => {
    const added: MigrationFile = { name: '0002_add.sql', sql: 'ALTER TABLE member ADD COLUMN avatar TEXT;' };
    const problems = checkMigrations([
      BASE,
      added,
      { name: '0003_drop.sql', sql: 'ALTER TABLE member DROP COLUMN avatar;' },
    ]);
    expect(problems.map((p) => [p.migration, p.message.includes('0002_add.sql created')])).toEqual([
      ['0003_drop.sql', true],
    ]);
  });

  it('follows a contract rename, so the old name is free and the new one guarded', () => {
    const renamed: MigrationFile = {
      name: '0002_contract.sql',
      sql: `${CONTRACT_MARKER}\nALTER TABLE pomodoro_study RENAME TO study;`,
    };
    const problems = checkMigrations([
      BASE,
      renamed,
      { name: '0003.sql', sql: 'DROP TABLE IF EXISTS pomodoro_study;\nDROP TABLE study;' },
    ]);
    expect(problems.map((p) => p.message.split(',')[0])).toEqual(['DROP TABLE study drops a table']);
  });

  it('ignores indexes, views and triggers, and drops written in comments or strings', () => {
    const sql = [
      '-- DROP TABLE pomodoro_study;',
      '/* ALTER TABLE member DROP COLUMN nickname; */',
      "INSERT INTO member (id, nickname) VALUES ('DROP TABLE pomodoro_study;', 'it''s');",
      'DROP INDEX member_nickname;',
      'CREATE VIEW v AS SELECT 1;',
      'DROP VIEW v;',
      'DROP TRIGGER IF EXISTS sync_x;',
      'CREATE TABLE other (id) ;',
    ].join('\n');
    expect(check(sql)).toEqual([]);
  });
});

describe('checkMigrations: trigger bodies in the form remote D1 accepts', () => {
  const trigger = (body: string, header = 'CREATE TRIGGER t_copy AFTER INSERT ON member') => `${header}\n${body}\n`;
  const GOOD =
    'BEGIN\n  INSERT INTO other (id) VALUES (CASE WHEN NEW.id IS NULL THEN 0 ELSE NEW.id END) ON CONFLICT DO NOTHING;\n  UPDATE other SET id = NEW.id WHERE id IS NOT NEW.id;\nEND;';

  it('accepts BEGIN / END in upper case with one statement per line (a CASE ... END inside is no END)', () => {
    expect(check(trigger(GOOD))).toEqual([]);
    expect(
      check(
        trigger(
          GOOD,
          'CREATE TEMP TRIGGER IF NOT EXISTS t_copy AFTER UPDATE OF nickname ON member\nWHEN NEW.nickname IS NOT OLD.nickname',
        ),
      ),
    ).toEqual([]);
  });

  it.each([
    ['lower-case begin/end', GOOD.replace('BEGIN', 'begin').replace('END;', 'end;'), 'upper case'],
    ['a statement over two lines', GOOD.replace('SET id = NEW.id ', 'SET id = NEW.id\n  '), 'on one line'],
    ['two statements on one line', GOOD.replace(';\n  UPDATE', '; UPDATE'), 'one body statement per line'],
    ['a statement on the BEGIN line', GOOD.replace('BEGIN\n  ', 'BEGIN '), 'one body statement per line'],
    ['END on the last statement line', GOOD.replace(';\nEND;', '; END;'), 'one body statement per line'],
  ])('rejects %s', (_, body, message) => {
    const problems = check(trigger(body));
    expect(problems.length).toBeGreaterThan(0);
    expect(problems[0]?.message).toContain('trigger t_copy');
    expect(problems[0]?.message).toContain(message);
  });

  it('rejects CRLF line endings', () => {
    const problems = check(trigger(GOOD).replaceAll('\n', '\r\n'));
    expect(problems.map((p) => p.message)).toEqual([expect.stringContaining('LF')]);
  });
});

describe('the real migrations/', () => {
  const files = env.MIGRATION_SQL;

  it('are the files wrangler applies, in its order', () => {
    expect(files.map((file) => file.name)).toEqual(env.TEST_MIGRATIONS.map((migration) => migration.name));
  });

  it('pass the check: no drop or rename outside a contract step, every trigger body in remote-D1 form', () => {
    expect(checkMigrations(files)).toEqual([]);
  });

  it('have as many triggers in D1 as CREATE TRIGGER statements in the files, each stored as written', async () => {
    const written = files.flatMap((file) => file.sql.match(/^CREATE TRIGGER [\s\S]*?^END;$/gm) ?? []);
    const { results } = await env.DB.prepare(
      "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name",
    ).all<{ name: string; sql: string }>();
    expect(written.length).toBeGreaterThan(0);
    expect(results.map((row) => `${row.sql};`).sort()).toEqual(written.sort());
    for (const row of results) expect(row.name).toMatch(/^sync_v[12]_/);
  });
});
