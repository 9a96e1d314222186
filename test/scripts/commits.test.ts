/** The commit message rule (scripts/lib/commits.ts): what it refuses, and how it reads git log. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { commitProblems, MAX_SUBJECT, parseLog } from '../../scripts/lib/commits.ts';

describe('commitProblems', () => {
  it('passes a short imperative subject with a body', () => {
    assert.deepEqual(
      commitProblems({
        hash: 'abcdef123',
        subject: 'Count socket closes per version',
        body: 'Operators could not see...\n',
      }),
      [],
    );
  });

  it('names a long subject, a trailing period and a missing body', () => {
    const subject = `${'x'.repeat(MAX_SUBJECT)}.`;
    assert.deepEqual(commitProblems({ hash: 'abcdef123', subject, body: ' \n' }), [
      `abcdef1: the subject has ${MAX_SUBJECT + 1} characters, more than ${MAX_SUBJECT}`,
      'abcdef1: the subject ends with a period',
      'abcdef1: no body; say why the change is made',
    ]);
  });
});

describe('parseLog', () => {
  it('reads hash, subject and a multi-line body per record', () => {
    const log = 'h1\x00First\x00Why one.\n\nMore.\n\x1e\nh2\x00Second\x00\x1e\n';
    assert.deepEqual(parseLog(log), [
      { hash: 'h1', subject: 'First', body: 'Why one.\n\nMore.\n' },
      { hash: 'h2', subject: 'Second', body: '' },
    ]);
  });
});
