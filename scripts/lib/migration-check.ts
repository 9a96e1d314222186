/**
 * The migration check (DESIGN §6): two worker versions share one D1 during a
 * gradual deployment, and a rollback brings the old one back, so a migration
 * must not drop or rename a table or column an earlier migration created,
 * unless its first line marks it as a contract step (`-- haru:contract`),
 * the author's word that the release that used it has no traffic left. The
 * SQL alone cannot tell which release reads what, so everything an earlier
 * migration created and nothing has dropped yet counts as in use.
 *
 * It also checks trigger bodies are in the form remote D1 accepts: `BEGIN` /
 * `END` in upper case, one statement per line, LF line endings.
 *
 * Pure (no file system), so worker tests run it on fixtures and on the real
 * files, and `scripts/check-migrations.ts` runs it on migrations/.
 *
 * @example
 * checkMigrations([{ name: '0001_a.sql', sql: 'CREATE TABLE t (a);' }, { name: '0002_b.sql', sql: 'DROP TABLE t;' }]);
 * // -> [{ migration: '0002_b.sql', message: 'DROP TABLE t: ...' }]
 */

/** One migration file, in the order wrangler applies them. */
export interface MigrationFile {
  name: string;
  sql: string;
}

/** Something wrong with one migration, said so its author can fix it. */
export interface MigrationProblem {
  migration: string;
  message: string;
}

/** The first line of a migration that may drop or rename what the previous release used. */
export const CONTRACT_MARKER = '-- haru:contract';

/** Whether `sql` is marked as a contract step. */
export function isContractStep(sql: string): boolean {
  const firstLine = sql.split('\n', 1)[0] ?? '';
  // The marker may be followed by a reason (`-- haru:contract: Release 1 retired`), not by more of a word.
  return new RegExp(`^${CONTRACT_MARKER}(?![\\w-])`).test(firstLine.trim());
}

/** Every problem of the migrations, in file order; empty when they may ship. */
export function checkMigrations(files: MigrationFile[]): MigrationProblem[] {
  return [...dropsAndRenames(files), ...files.flatMap(triggerFormProblems)];
}

interface Token {
  kind: 'word' | 'name' | 'string' | 'number' | 'punct';
  /** Words as written; quoted names without their quotes. */
  text: string;
  line: number;
}

/** SQLite tokens without whitespace and comments, each with its 1-based line. */
function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let line = 1;
  let i = 0;
  /** Consumes up to and including `end` (or to the end of the input), counting lines. */
  const skipPast = (end: string, from: number) => {
    const at = sql.indexOf(end, from);
    const stop = at === -1 ? sql.length : at + end.length;
    for (let j = i; j < stop; j++) if (sql[j] === '\n') line += 1;
    const text = sql.slice(i, stop);
    i = stop;
    return text;
  };
  while (i < sql.length) {
    const char = sql[i] as string;
    const startLine = line;
    if (char === '\n') {
      line += 1;
      i += 1;
    } else if (/\s/.test(char)) {
      i += 1;
    } else if (sql.startsWith('--', i)) {
      const end = sql.indexOf('\n', i);
      i = end === -1 ? sql.length : end;
    } else if (sql.startsWith('/*', i)) {
      skipPast('*/', i + 2);
    } else if (char === "'") {
      tokens.push({ kind: 'string', text: skipPast("'", i + 1), line: startLine });
    } else if (char === '"' || char === '`' || char === '[') {
      const text = skipPast(char === '[' ? ']' : char, i + 1);
      tokens.push({ kind: 'name', text: text.slice(1, -1), line: startLine });
    } else if (/[A-Za-z_]/.test(char)) {
      const match = /^[A-Za-z_][A-Za-z0-9_$]*/.exec(sql.slice(i)) as RegExpExecArray;
      tokens.push({ kind: 'word', text: match[0], line });
      i += match[0].length;
    } else if (/[0-9]/.test(char)) {
      const match = /^[0-9][0-9A-Za-z_.]*/.exec(sql.slice(i)) as RegExpExecArray;
      tokens.push({ kind: 'number', text: match[0], line });
      i += match[0].length;
    } else {
      tokens.push({ kind: 'punct', text: char, line });
      i += 1;
    }
  }
  return tokens;
}

/** Whether `token` is the keyword `keyword` (any case). */
function isKeyword(token: Token | undefined, keyword: string): boolean {
  return token?.kind === 'word' && token.text.toUpperCase() === keyword;
}

/** Whether the statement starts `CREATE [TEMP|TEMPORARY] TRIGGER`. */
function isCreateTrigger(tokens: Token[]): boolean {
  const at = isKeyword(tokens[1], 'TEMP') || isKeyword(tokens[1], 'TEMPORARY') ? 2 : 1;
  return isKeyword(tokens[0], 'CREATE') && isKeyword(tokens[at], 'TRIGGER');
}

/**
 * Splits tokens into statements at `;`. Inside `CREATE TRIGGER` only an `END`
 * that starts a body statement, followed by `;`, ends it (as SQLite and
 * wrangler's splitter read it); a CASE's END does not.
 */
function statements(tokens: Token[]): Token[][] {
  const result: Token[][] = [];
  let current: Token[] = [];
  for (const token of tokens) {
    current.push(token);
    if (token.text !== ';' || token.kind !== 'punct') continue;
    const ended =
      !isCreateTrigger(current) ||
      (isKeyword(current.at(-2), 'END') && ['BEGIN', ';'].includes(current.at(-3)?.text.toUpperCase() ?? ''));
    if (ended) {
      if (current.length > 1) result.push(current);
      current = [];
    }
  }
  if (current.length > 0) result.push(current);
  return result;
}

/** An identifier as SQLite compares it: quotes gone, case folded. */
function nameAt(tokens: Token[], i: number): { name: string; next: number } | null {
  const first = tokens[i];
  if (!first || (first.kind !== 'word' && first.kind !== 'name')) return null;
  // schema.table: the table is what matters.
  if (tokens[i + 1]?.text === '.' && tokens[i + 2]) return nameAt(tokens, i + 2);
  return { name: first.text.toLowerCase(), next: i + 1 };
}

/** Skips an optional run of keywords (`IF NOT EXISTS`, `COLUMN`), returning the index after it. */
function skipKeywords(tokens: Token[], i: number, keywords: string[]): number {
  let at = i;
  for (const keyword of keywords) if (isKeyword(tokens[at], keyword)) at += 1;
  return at;
}

const TABLE_CONSTRAINTS = ['CONSTRAINT', 'PRIMARY', 'UNIQUE', 'CHECK', 'FOREIGN'];

/** The column names of `CREATE TABLE name ( ... )`, or null for `CREATE TABLE ... AS SELECT`. */
function columnsOf(tokens: Token[], open: number): string[] | null {
  if (tokens[open]?.text !== '(') return null;
  const columns: string[] = [];
  let depth = 0;
  let startOfDefinition = true;
  for (const token of tokens.slice(open)) {
    if (token.kind === 'punct' && token.text === '(') depth += 1;
    else if (token.kind === 'punct' && token.text === ')') depth -= 1;
    if (depth === 0) break;
    if (depth === 1 && token.kind === 'punct' && token.text === ',') {
      startOfDefinition = true;
    } else if (depth === 1 && startOfDefinition && token.text !== '(') {
      if (!TABLE_CONSTRAINTS.includes(token.text.toUpperCase()) || token.kind === 'name')
        columns.push(token.text.toLowerCase());
      startOfDefinition = false;
    }
  }
  return columns;
}

/** What a statement does to tables and columns; null for everything else. */
type SchemaChange =
  | { op: 'create'; table: string; columns: string[] | null }
  | { op: 'drop'; table: string }
  | { op: 'rename'; table: string; to: string }
  | { op: 'add-column'; table: string; column: string }
  | { op: 'drop-column'; table: string; column: string }
  | { op: 'rename-column'; table: string; column: string; to: string };

function schemaChange(tokens: Token[]): SchemaChange | null {
  if (isKeyword(tokens[0], 'CREATE')) {
    const at = skipKeywords(tokens, 1, ['TEMP', 'TEMPORARY']);
    if (!isKeyword(tokens[at], 'TABLE')) return null;
    const table = nameAt(tokens, skipKeywords(tokens, at + 1, ['IF', 'NOT', 'EXISTS']));
    return table && { op: 'create', table: table.name, columns: columnsOf(tokens, table.next) };
  }
  if (isKeyword(tokens[0], 'DROP') && isKeyword(tokens[1], 'TABLE')) {
    const table = nameAt(tokens, skipKeywords(tokens, 2, ['IF', 'EXISTS']));
    return table && { op: 'drop', table: table.name };
  }
  if (!isKeyword(tokens[0], 'ALTER') || !isKeyword(tokens[1], 'TABLE')) return null;
  const table = nameAt(tokens, 2);
  if (!table) return null;
  const action = tokens[table.next];
  if (isKeyword(action, 'RENAME') && isKeyword(tokens[table.next + 1], 'TO')) {
    const to = nameAt(tokens, table.next + 2);
    return to && { op: 'rename', table: table.name, to: to.name };
  }
  const target = nameAt(tokens, skipKeywords(tokens, table.next + 1, ['COLUMN']));
  if (!target) return null;
  if (isKeyword(action, 'RENAME')) {
    const to = isKeyword(tokens[target.next], 'TO') ? nameAt(tokens, target.next + 1) : null;
    return to && { op: 'rename-column', table: table.name, column: target.name, to: to.name };
  }
  if (isKeyword(action, 'ADD')) return { op: 'add-column', table: table.name, column: target.name };
  if (isKeyword(action, 'DROP')) return { op: 'drop-column', table: table.name, column: target.name };
  return null;
}

/** A table as the migrations so far left it: the file that created it, and each column's. */
interface TableState {
  createdBy: number;
  /** Null when unknown (`CREATE TABLE ... AS SELECT`): then every column counts as the table's. */
  columns: Map<string, number> | null;
}

/** The problems of dropping or renaming, without a contract marker, what an earlier file created. */
function dropsAndRenames(files: MigrationFile[]): MigrationProblem[] {
  const problems: MigrationProblem[] = [];
  const tables = new Map<string, TableState>();
  files.forEach((file, index) => {
    const contract = isContractStep(file.sql);
    /** Records a problem when the thing at hand came from an earlier file and this one is no contract step. */
    const guard = (createdBy: number | undefined, what: string) => {
      if (contract || createdBy === undefined || createdBy >= index) return;
      problems.push({
        migration: file.name,
        message:
          `${what}, which ${files[createdBy]?.name} created and the previous release may still use. ` +
          `Keep it while that release has traffic; drop it later in a migration whose first line is "${CONTRACT_MARKER}".`,
      });
    };
    for (const statement of statements(tokenize(file.sql))) {
      const change = schemaChange(statement);
      if (!change) continue;
      const table = tables.get(change.table);
      const columnCreatedBy = (column: string) => (table?.columns ? table.columns.get(column) : table?.createdBy);
      switch (change.op) {
        case 'create':
          tables.set(change.table, {
            createdBy: index,
            columns: change.columns && new Map(change.columns.map((c) => [c, index])),
          });
          break;
        case 'drop':
          guard(table?.createdBy, `DROP TABLE ${change.table} drops a table`);
          tables.delete(change.table);
          break;
        case 'rename':
          guard(table?.createdBy, `ALTER TABLE ${change.table} RENAME TO ${change.to} renames a table`);
          tables.delete(change.table);
          if (table) tables.set(change.to, table);
          break;
        case 'add-column':
          table?.columns?.set(change.column, index);
          break;
        case 'drop-column':
          guard(
            columnCreatedBy(change.column),
            `ALTER TABLE ${change.table} DROP COLUMN ${change.column} drops a column`,
          );
          table?.columns?.delete(change.column);
          break;
        case 'rename-column': {
          const createdBy = columnCreatedBy(change.column);
          guard(
            createdBy,
            `ALTER TABLE ${change.table} RENAME COLUMN ${change.column} TO ${change.to} renames a column`,
          );
          table?.columns?.delete(change.column);
          if (createdBy !== undefined) table?.columns?.set(change.to, createdBy);
          break;
        }
      }
    }
  });
  return problems;
}

/** The problems of one file's trigger bodies for remote D1. */
function triggerFormProblems(file: MigrationFile): MigrationProblem[] {
  const problems: MigrationProblem[] = [];
  const report = (message: string) => problems.push({ migration: file.name, message });
  if (file.sql.includes('\r')) report('has CR line endings; remote D1 needs LF only (trigger bodies break on CRLF).');
  for (const statement of statements(tokenize(file.sql)).filter(isCreateTrigger)) {
    const name =
      statement.find((t, i) => i > 1 && !['TRIGGER', 'IF', 'NOT', 'EXISTS'].includes(t.text.toUpperCase()))?.text ??
      '?';
    const begin = statement.findIndex((t) => isKeyword(t, 'BEGIN'));
    const end = statement.at(-1)?.text === ';' ? statement.length - 2 : statement.length - 1;
    const beginToken = statement[begin];
    const endToken = statement[end];
    if (!beginToken || !endToken || !isKeyword(endToken, 'END')) {
      report(`trigger ${name}: no BEGIN ... END; body.`);
      continue;
    }
    if (beginToken.text !== 'BEGIN' || endToken.text !== 'END')
      report(`trigger ${name}: write BEGIN and END in upper case (line ${beginToken.line}).`);
    const body = statement.slice(begin + 1, end);
    if (body.length === 0) report(`trigger ${name}: empty body.`);
    const lines = new Set<number>([beginToken.line, endToken.line]);
    let start = 0;
    body.forEach((token, i) => {
      if (token.kind !== 'punct' || token.text !== ';') return;
      const first = body[start] as Token;
      if (first.line !== token.line)
        report(`trigger ${name}: put each body statement on one line (lines ${first.line}-${token.line}).`);
      else if (lines.has(first.line))
        report(`trigger ${name}: one body statement per line, apart from BEGIN and END (line ${first.line}).`);
      lines.add(first.line);
      start = i + 1;
    });
    if (start < body.length) report(`trigger ${name}: end every body statement with ";".`);
  }
  return problems;
}
