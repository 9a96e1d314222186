/**
 * `npm run migrations:check` (part of `npm test`): fails when a migration in
 * migrations/ drops or renames what an earlier one created without being
 * marked a contract step, or writes a trigger body remote D1 would reject.
 */
import { join } from 'node:path';
import { CONTRACT_MARKER, checkMigrations } from './lib/migration-check.ts';
import { readMigrationFiles } from './lib/migration-files.ts';
import { ROOT } from './lib/paths.ts';

const files = readMigrationFiles(join(ROOT, 'migrations'));
const problems = checkMigrations(files);
if (problems.length === 0) {
  console.log(`migrations ok: ${files.map((file) => file.name).join(', ')}`);
} else {
  for (const problem of problems) console.error(`${problem.migration}: ${problem.message}`);
  console.error(
    `${problems.length} migration problem(s); a drop or rename of the old shape belongs in a "${CONTRACT_MARKER}" migration.`,
  );
  process.exitCode = 1;
}
