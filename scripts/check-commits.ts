/**
 * `npm run lint` (second half): every commit since the rule was written down
 * (the commit that added CONTRIBUTING.md) keeps the commit message rule.
 * Older commits are history and stay as they are. Merges are left out.
 */
import { execFileSync } from 'node:child_process';
import { fail } from './lib/cli.ts';
import { commitProblems, parseLog } from './lib/commits.ts';
import { ROOT } from './lib/paths.ts';

const git = (args: string[]) => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' });

const since = git(['log', '--diff-filter=A', '--format=%H', '--', 'CONTRIBUTING.md'])
  .trim()
  .split('\n')
  .filter(Boolean)
  .at(-1);
if (!since) {
  console.log('commit messages: CONTRIBUTING.md is not committed yet, nothing to check');
  process.exit(0);
}
// The commit that added the rule keeps it too: `since^..HEAD`, or everything when it is the first commit.
const range =
  git(['rev-list', '--parents', '-n', '1', since]).trim().split(' ').length > 1 ? `${since}^..HEAD` : 'HEAD';
const commits = parseLog(git(['log', '--no-merges', '--format=%H%x00%s%x00%b%x1e', range]));
const problems = commits.flatMap(commitProblems);
if (problems.length > 0)
  fail(`commit messages (CONTRIBUTING.md, "Commits"):\n${problems.map((p) => `  - ${p}`).join('\n')}`, 1);
console.log(`commit messages: ${commits.length} since ${since.slice(0, 7)} keep the rule`);
