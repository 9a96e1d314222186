/**
 * `npm run rehearse -- --from <git ref> [--to <git ref> | .]`: rehearses a
 * gradual rollout locally (scripts/rehearsal/run.ts) and prints the report;
 * exits 1 when an acknowledged answer is lost, a solo action failed, or a
 * group action met a server error (5xx, or a socket the worker failed).
 *
 * Options: --steps 10,50,100 (the new version's percentages), --rollback
 * (step back to 0 % at the end), --step-seconds 8, --learners 6 (solo),
 * --rooms 2 --guests 2 (live rooms and guests per room), --port (a free one
 * by default), --json <file> (the report as JSON too).
 */
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { fail } from './lib/cli.ts';
import { freePort } from './lib/dev-server.ts';
import { formatReport } from './rehearsal/report.ts';
import { rehearse } from './rehearsal/run.ts';
import { WORKING_TREE } from './rehearsal/versions.ts';

const { values } = parseArgs({
  options: {
    from: { type: 'string' },
    to: { type: 'string', default: WORKING_TREE },
    steps: { type: 'string', default: '10,50,100' },
    rollback: { type: 'boolean', default: false },
    'step-seconds': { type: 'string', default: '8' },
    learners: { type: 'string', default: '6' },
    rooms: { type: 'string', default: '2' },
    guests: { type: 'string', default: '2' },
    port: { type: 'string' },
    json: { type: 'string' },
  },
});

/** A whole number in [min, max] from option `name`, or exit 2 with why. */
function count(name: string, text: string, min: number, max: number): number {
  const n = Number(text);
  if (Number.isInteger(n) && n >= min && n <= max) return n;
  return fail(`--${name} must be a whole number from ${min} to ${max}, not "${text}"`);
}

if (!values.from)
  fail('usage: npm run rehearse -- --from <git ref> [--to <git ref> | .] [--steps 10,50,100] [--rollback]');
const percents = values.steps.split(',').map((p) => count('steps', p.trim(), 1, 100));
if (percents.some((p, i) => i > 0 && p <= (percents[i - 1] as number)))
  fail(`--steps must rise, e.g. 10,50,100, not ${values.steps}`);
// Ctrl-C: exit through the 'exit' handlers, which stop wrangler and remove the worktrees.
process.once('SIGINT', () => process.exit(130));
const started = performance.now();
const report = await rehearse({
  from: values.from,
  to: values.to,
  percents,
  rollback: values.rollback,
  stepSeconds: count('step-seconds', values['step-seconds'], 1, 600),
  soloLearners: count('learners', values.learners, 1, 50),
  rooms: count('rooms', values.rooms, 0, 20),
  guests: count('guests', values.guests, 0, 9),
  port: values.port ? count('port', values.port, 1024, 65535) : await freePort(),
  log: (line) => console.log(`[${((performance.now() - started) / 1000).toFixed(1).padStart(5)} s] ${line}`),
});
console.log(formatReport(report));
if (values.json) await writeFile(values.json, `${JSON.stringify(report, null, 2)}\n`);
process.exitCode = report.ok ? 0 : 1;
