/**
 * The commit message rule of CONTRIBUTING.md, checked: a subject of at most
 * 72 characters without a trailing period, and a body that says why. Pure, so
 * the rule is tested on made-up messages; scripts/check-commits.ts feeds it git.
 */

/** The longest subject a commit may have. */
export const MAX_SUBJECT = 72;

/** One commit as git log gives it. */
export interface CommitMessage {
  hash: string;
  subject: string;
  body: string;
}

/** What is wrong with one commit's message, as sentences; none when it keeps the rule. */
export function commitProblems({ hash, subject, body }: CommitMessage): string[] {
  const short = hash.slice(0, 7);
  const problems: string[] = [];
  if (subject.length > MAX_SUBJECT)
    problems.push(`${short}: the subject has ${subject.length} characters, more than ${MAX_SUBJECT}`);
  if (subject.endsWith('.')) problems.push(`${short}: the subject ends with a period`);
  if (body.trim() === '') problems.push(`${short}: no body; say why the change is made`);
  return problems;
}

/** Commits of `git log --format=%H%x00%s%x00%b%x1e`, in the order given. */
export function parseLog(log: string): CommitMessage[] {
  return log
    .split('\x1e')
    .map((record) => record.replace(/^\n/, ''))
    .filter((record) => record.trim() !== '')
    .map((record) => {
      const [hash = '', subject = '', body = ''] = record.split('\x00');
      return { hash, subject, body };
    });
}
