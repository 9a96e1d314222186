/**
 * `npm run bench`: Haru Study's room under `wrangler dev` on 127.0.0.1
 * (issue 4, Benchmarks; figures recorded in docs/benchmarks.md).
 *
 * 1. Fan-out: one participant's message -> the last of N sockets receiving
 *    the broadcast, Haru's room beside a minimal PartyServer room in the
 *    same workerd, same run.
 * 2. Messages per participant over one full 60-minute cycle (injected
 *    clock), against the first Haru Study's polling.
 * 3. A 1,000-socket room: every socket gets every broadcast, p99, and the
 *    worker's memory.
 *
 * Flags: --sockets N (50) --rounds N (200) --warmup N (20) --no-party
 * --cycle 2,5,10 (empty to skip) --big N (1000; 0 skips) --big-rounds N (50)
 * --big-warmup N (5) --deflate off|on|both (both: permessage-deflate on the
 * fan-out sockets not offered and offered, a room each) --keepalive-seconds N
 * (30, the client's keep-alive pace, for the cycle count) --json FILE
 * --max-seconds N (420). Stops by itself: every wait is
 * bounded and the whole run has a deadline.
 */
import { readFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { type BenchApp, startBenchApp } from './app.ts';
import { type BenchSocket, isSnapshot, openRoom, openSocket, roomSocket, type Summary } from './client.ts';
import { findWorkerd } from './proc.ts';
import {
  BIG_CONNECT_LIMIT,
  type BigRoomResult,
  bigRoom,
  type CycleCount,
  closeAll,
  cycleMessages,
  type FanOutRoom,
  fanOut,
  haruRoom,
  type MemoryPoint,
  partyRoom,
} from './scenarios.ts';

/** What one run measures. */
export interface BenchOptions {
  sockets: number;
  rounds: number;
  warmup: number;
  party: boolean;
  /** Fan-out with permessage-deflate not offered, offered, or both (two rooms each). */
  deflate: 'off' | 'on' | 'both';
  cycleSizes: number[];
  big: number;
  bigRounds: number;
  bigWarmup: number;
  /** Whole-run deadline. */
  maxSeconds: number;
  /** The client's keep-alive pace, for the message count with keep-alive. */
  keepAliveSeconds: number;
}

export const DEFAULTS: BenchOptions = {
  sockets: 50,
  rounds: 200,
  warmup: 20,
  party: true,
  deflate: 'both',
  cycleSizes: [2, 5, 10],
  big: 1000,
  bigRounds: 50,
  bigWarmup: 5,
  maxSeconds: 420,
  // The Release 2 client pings an open socket every 30 s.
  keepAliveSeconds: 30,
};

/** Everything a run found. */
export interface BenchResult {
  date: string;
  machine: string;
  wrangler: string;
  node: string;
  ws: string;
  /** What permessage-deflate a socket that offers it gets, per server. */
  deflateNegotiated: { haru: string; party: string };
  workerd: { pid: number; role: string }[];
  fanOut: { label: string; summary: Summary }[];
  cycles: CycleCount[];
  big: BigRoomResult | null;
  /** 1-minute load average when the run began and ended (other processes share the cores). */
  load: { start: number; end: number };
  seconds: number;
}

/** The version of an installed package. */
async function versionOf(name: string): Promise<string> {
  const url = new URL(`../../node_modules/${name}/package.json`, import.meta.url);
  return (JSON.parse(await readFile(url, 'utf8')) as { version: string }).version;
}

/** Which extension a socket offering permessage-deflate ends up with ("none" when refused). */
async function negotiated(open: () => Promise<BenchSocket>): Promise<string> {
  const socket = await open();
  const extensions = socket.ws.extensions || 'none';
  await closeAll([socket]);
  return extensions;
}

/** The soft limit on open files of this process (Linux), or null where it cannot be read. */
function openFileLimit(): number | null {
  try {
    const match = /^Max open files\s+(\d+|unlimited)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    return !match ? null : match[1] === 'unlimited' ? Infinity : Number(match[1]);
  } catch {
    return null;
  }
}

/**
 * Every socket is a file here, and the two workerd processes (which inherit
 * the limit) hold one or two per socket too: fail early with the fix rather
 * than halfway through the big room.
 */
function checkOpenFileLimit(options: BenchOptions): void {
  const sockets = options.big * (options.party ? 2 : 1) + options.sockets * 4 + Math.max(0, ...options.cycleSizes);
  const needed = 2 * sockets + 512;
  const limit = openFileLimit();
  if (limit !== null && limit < needed) {
    throw new Error(
      `bench: this run needs about ${needed} open files, the limit is ${limit}; raise it first (ulimit -n ${Math.max(needed, 8192)}) or lower --big`,
    );
  }
}

/** Runs the benchmark; `log` gets progress lines. */
export async function runBench(options: BenchOptions, log: (line: string) => void = () => {}): Promise<BenchResult> {
  checkOpenFileLimit(options);
  const started = performance.now();
  const loadAtStart = loadavg()[0]!;
  let bench: BenchApp | undefined;
  let leftOpen: BenchSocket[] = [];
  try {
    log('starting wrangler dev (fresh state, migrations, bench worker entry)...');
    bench = await startBenchApp();
    const { port } = bench;
    const base = bench.app.url;
    const workerd = findWorkerd(port).map(({ pid, role }) => ({ pid, role }));
    log(`wrangler dev on ${base}; workerd: ${workerd.map((w) => `${w.role} ${w.pid}`).join(', ') || 'not found'}`);

    // Does the server take permessage-deflate when offered? (--deflate decides whether the fan-out sockets offer it.)
    const probeRoom = await openRoom(base, 1);
    const probe = roomSocket(port, probeRoom.studyId, probeRoom.learners[0]!.token);
    const deflateNegotiated = {
      haru: await negotiated(() => openSocket(probe.url, { deflate: true, protocols: probe.protocols }, isSnapshot)),
      party: options.party
        ? await negotiated(() => openSocket(`ws://127.0.0.1:${port}/parties/party-room/probe`, { deflate: true }))
        : 'not run',
    };
    log(`permessage-deflate when offered: haru ${deflateNegotiated.haru}; party ${deflateNegotiated.party}`);

    log(
      `fan-out: ${options.sockets} sockets per room, ${options.warmup} warm-up + ${options.rounds} timed rounds each...`,
    );
    const rooms: FanOutRoom[] = [];
    for (const deflate of options.deflate === 'both' ? [false, true] : [options.deflate === 'on']) {
      rooms.push(await haruRoom(base, port, options.sockets, deflate));
      if (options.party)
        rooms.push(await partyRoom(port, options.sockets, deflate, `bench-deflate-${deflate ? 'on' : 'off'}`));
    }
    const summaries = await fanOut(rooms, { rounds: options.rounds, warmup: options.warmup });
    const fanOutResults = rooms.map((room, i) => ({ label: room.label, summary: summaries[i]! }));
    for (const room of rooms) await closeAll(room.sockets);

    const cycles: CycleCount[] = [];
    for (const size of options.cycleSizes) {
      log(`one 60-minute cycle with ${size} participants...`);
      cycles.push(await cycleMessages(base, port, size));
    }

    let big: BigRoomResult | null = null;
    if (options.big > 0) {
      log(
        `big room: ${options.big} learners join, connect, then ${options.bigWarmup} + ${options.bigRounds} broadcasts...`,
      );
      const { sockets, ...result } = await bigRoom(base, port, {
        size: options.big,
        rounds: options.bigRounds,
        warmup: options.bigWarmup,
        party: options.party,
      });
      leftOpen = sockets;
      big = result;
    }

    if (bench.reloaded())
      throw new Error(
        'bench: wrangler dev reloaded the worker during the run (a source file changed); the figures are not comparable, run it again',
      );
    return {
      date: new Date().toISOString(),
      machine: `${availableParallelism()} cores, ${cpus()[0]?.model ?? 'unknown CPU'}`,
      wrangler: await versionOf('wrangler'),
      node: process.version,
      ws: await versionOf('ws'),
      deflateNegotiated,
      workerd,
      fanOut: fanOutResults,
      cycles,
      big,
      load: { start: loadAtStart, end: loadavg()[0]! },
      seconds: (performance.now() - started) / 1000,
    };
  } catch (error) {
    if (bench?.reloaded()) {
      throw new Error(
        'bench: wrangler dev reloaded the worker during the run (a source file changed), which drops every socket; run the bench again with the sources left alone',
        { cause: error },
      );
    }
    throw error;
  } finally {
    // Stop the server first: closing a big room socket by socket would announce every departure to the rest.
    await bench?.close();
    for (const socket of leftOpen) socket.terminate();
  }
}

// ---------------------------------------------------------------- report

const ms = (x: number) => x.toFixed(2);
const mib = (kib: number | null) => (kib === null ? 'n/a' : `${(kib / 1024).toFixed(1)} MiB`);

/** Polling in the first Haru Study: one request every 2-3 s per participant for 80 minutes. */
const POLLING = { minutes: 80, low: Math.round((80 * 60) / 3), high: Math.round((80 * 60) / 2) };

/** The report printed to stdout (Markdown tables). */
export function report(result: BenchResult, options: BenchOptions): string {
  const lines: string[] = [];
  const deflate = {
    off: 'not offered (`perMessageDeflate: false`)',
    on: 'offered (`perMessageDeflate: true`)',
    both: 'off and on, as labelled',
  }[options.deflate];
  lines.push(`# Haru Study benchmark, ${result.date}`);
  lines.push('');
  lines.push(
    `Machine: ${result.machine}; Node ${result.node}; wrangler ${result.wrangler} (\`wrangler dev\`, its proxy workerd in front of the worker's workerd), 127.0.0.1 only.`,
  );
  lines.push(
    `Client: one Node process, \`ws\` ${result.ws}; permessage-deflate on the fan-out sockets: ${deflate}; on the cycle and big-room sockets: off.`,
  );
  lines.push(
    `When a socket offers permessage-deflate, it gets: Haru room "${result.deflateNegotiated.haru}", PartyServer room "${result.deflateNegotiated.party}".`,
  );
  lines.push(`workerd processes: ${result.workerd.map((w) => `${w.role} (pid ${w.pid})`).join(', ') || 'not found'}.`);
  lines.push('');
  lines.push(
    `## 1. Fan-out: one participant's message -> the last of ${options.sockets} sockets receives the broadcast (ms)`,
  );
  lines.push(
    `${options.rounds} timed rounds per room after ${options.warmup} warm-up, the acting socket rotating, rooms alternating in blocks of 50.`,
  );
  lines.push('');
  lines.push('| room | rounds | min | p50 | p95 | p99 | max | mean |');
  lines.push('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const { label, summary: s } of result.fanOut) {
    lines.push(
      `| ${label} | ${s.n} | ${ms(s.min)} | ${ms(s.p50)} | ${ms(s.p95)} | ${ms(s.p99)} | ${ms(s.max)} | ${ms(s.mean)} |`,
    );
  }
  if (result.cycles.length > 0) {
    const keepAlive = Math.floor((POLLING.minutes * 60) / options.keepAliveSeconds);
    lines.push('');
    lines.push('## 2. Messages per participant, one full cycle (10 min plan + 60 min study + 10 min retrospect)');
    lines.push(
      `WebSocket messages from each socket's open to the \`done\` step, counted at each socket (no timer ticks are sent, none arrived). time_up: ${result.cycles[0]!.timeUps} per participant, one per timed step, sent by the room's own alarm after the bench moved the room's clock past each deadline.`,
    );
    lines.push(
      `Keep-alive: a client that pings every ${options.keepAliveSeconds} s adds ${keepAlive} \`ping\` + ${keepAlive} \`pong\` over ${POLLING.minutes} min, answered by the runtime without waking the room (${result.cycles.every((c) => c.keepAliveAnswered) ? 'checked: a ping got its pong' : 'NOT answered in this run'}); not in the protocol counts.`,
    );
    lines.push(
      `First Haru Study: a request every 2-3 s for ${POLLING.minutes} min = ${POLLING.low.toLocaleString('en')}-${POLLING.high.toLocaleString('en')} requests per participant (each a request and a response).`,
    );
    lines.push('');
    lines.push(
      `| participants | host sent | host received | others sent | others received (min-max, mean) | most per participant | with keep-alive | polling / most (protocol; with keep-alive) |`,
    );
    lines.push('| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
    for (const cycle of result.cycles) {
      const host = cycle.participants[0]!;
      const others = cycle.participants.slice(1);
      const received = others.map((p) => p.received);
      const sent = [...new Set(others.map((p) => p.sent))].join('/');
      const most = Math.max(...cycle.participants.map((p) => p.sent + p.received));
      const withKeepAlive = most + 2 * keepAlive;
      const othersReceived = others.length
        ? `${Math.min(...received)}-${Math.max(...received)}, ${(received.reduce((a, b) => a + b, 0) / received.length).toFixed(1)}`
        : 'n/a';
      const ratio = (n: number) => `${(POLLING.low / n).toFixed(0)}-${(POLLING.high / n).toFixed(0)}x`;
      lines.push(
        `| ${cycle.size} | ${host.sent} | ${host.received} | ${sent || 'n/a'} | ${othersReceived} | ${most} | ${withKeepAlive} | ${ratio(most)}; ${(POLLING.low / withKeepAlive).toFixed(1)}-${(POLLING.high / withKeepAlive).toFixed(1)}x |`,
      );
    }
    const largest = result.cycles[result.cycles.length - 1]!;
    lines.push('');
    lines.push(
      `What the host of the ${largest.size}-participant room received: ${Object.entries(largest.participants[0]!.tally)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}.`,
    );
  }
  if (result.big) {
    const b = result.big;
    const row = (label: string, s: Summary) =>
      `| ${label} | ${s.n} | ${ms(s.min)} | ${ms(s.p50)} | ${ms(s.p95)} | ${ms(s.p99)} | ${ms(s.max)} | ${ms(s.mean)} |`;
    lines.push('');
    lines.push(`## 3. A ${b.size.toLocaleString('en')}-socket room`);
    lines.push(
      `Haru: ${b.size} learners joined over HTTP in ${(b.setupMs / 1000).toFixed(1)} s and connected in ${(b.connectMs / 1000).toFixed(1)} s (${BIG_CONNECT_LIMIT} at a time, each connection announced to everyone already in); ${b.allReceived} of ${b.size} sockets received every one of the ${b.broadcast.n} timed broadcasts (and the warm-up ones).`,
    );
    if (b.party)
      lines.push(
        `PartyServer (measured after Haru's room, whose sockets stayed connected): ${b.size} sockets connected in ${(b.party.connectMs / 1000).toFixed(1)} s (${BIG_CONNECT_LIMIT} at a time).`,
      );
    lines.push('');
    lines.push(
      `One participant's message -> the last of ${b.size} sockets receives the broadcast (ms), permessage-deflate off:`,
    );
    lines.push('');
    lines.push('| room | rounds | min | p50 | p95 | p99 | max | mean |');
    lines.push('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
    lines.push(row(`Haru room (${b.size} sockets)`, b.broadcast));
    if (b.party) lines.push(row(`PartyServer room (${b.size} sockets)`, b.party.broadcast));
    lines.push('');
    lines.push(
      "RSS (/proc/<pid>/status VmRSS) of the worker's workerd (runs the worker and its Durable Objects) and of the proxy workerd in front of it:",
    );
    lines.push('');
    lines.push('| moment | worker workerd RSS | proxy workerd RSS |');
    lines.push('| --- | ---: | ---: |');
    for (const m of [...b.memory, ...(b.party?.memory ?? [])])
      lines.push(`| ${m.label} | ${mib(m.workerKiB)} | ${mib(m.proxyKiB)} |`);
    const delta = (before: MemoryPoint | undefined, after: MemoryPoint | undefined, what: string) => {
      if (!before?.workerKiB || !after?.workerKiB) return;
      const d = after.workerKiB - before.workerKiB;
      const p = before.proxyKiB && after.proxyKiB ? after.proxyKiB - before.proxyKiB : null;
      lines.push(
        `- ${what}: worker workerd ${d >= 0 ? '+' : ''}${mib(d)} (${(d / b.size).toFixed(1)} KiB per socket)${p === null ? '' : `, proxy workerd ${p >= 0 ? '+' : ''}${mib(p)} (${(p / b.size).toFixed(1)} KiB per socket)`}.`,
      );
    };
    lines.push('');
    lines.push(`Connecting the ${b.size} sockets:`);
    delta(b.memory[1], b.memory[2], 'Haru');
    if (b.party)
      delta(
        b.party.memory[0],
        b.party.memory[1],
        "PartyServer (after Haru's room, in the same processes: memory freed there may be reused here)",
      );
  }
  lines.push('');
  lines.push(
    `Run took ${result.seconds.toFixed(0)} s; 1-minute load average ${result.load.start.toFixed(2)} at the start, ${result.load.end.toFixed(2)} at the end.`,
  );
  return lines.join('\n');
}

// ---------------------------------------------------------------- CLI

function deflateMode(raw: string | undefined): BenchOptions['deflate'] {
  if (raw === undefined) return DEFAULTS.deflate;
  if (raw === 'off' || raw === 'on' || raw === 'both') return raw;
  throw new Error(`bench: --deflate is off, on or both, not ${raw}`);
}

/** Options from the command line over the defaults. */
export function parseOptions(argv: string[]): BenchOptions & { json?: string } {
  const { values } = parseArgs({
    args: argv,
    options: {
      sockets: { type: 'string' },
      rounds: { type: 'string' },
      warmup: { type: 'string' },
      'no-party': { type: 'boolean' },
      deflate: { type: 'string' },
      cycle: { type: 'string' },
      big: { type: 'string' },
      'big-rounds': { type: 'string' },
      'big-warmup': { type: 'string' },
      'max-seconds': { type: 'string' },
      'keepalive-seconds': { type: 'string' },
      json: { type: 'string' },
    },
  });
  const int = (raw: string | undefined, fallback: number, min: number) => {
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min) throw new Error(`bench: expected a whole number >= ${min}, got ${raw}`);
    return n;
  };
  return {
    sockets: int(values.sockets, DEFAULTS.sockets, 1),
    rounds: int(values.rounds, DEFAULTS.rounds, 1),
    warmup: int(values.warmup, DEFAULTS.warmup, 0),
    party: !values['no-party'],
    deflate: deflateMode(values.deflate),
    cycleSizes:
      values.cycle === undefined
        ? DEFAULTS.cycleSizes
        : values.cycle
            .split(',')
            .filter(Boolean)
            .map((x) => int(x, 0, 1)),
    big: int(values.big, DEFAULTS.big, 0),
    bigRounds: int(values['big-rounds'], DEFAULTS.bigRounds, 1),
    bigWarmup: int(values['big-warmup'], DEFAULTS.bigWarmup, 0),
    maxSeconds: int(values['max-seconds'], DEFAULTS.maxSeconds, 10),
    keepAliveSeconds: int(values['keepalive-seconds'], DEFAULTS.keepAliveSeconds, 1),
    ...(values.json ? { json: values.json } : {}),
  };
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  // Ctrl-C and the deadline end the process through 'exit', where the harness kills wrangler's process group.
  process.once('SIGINT', () => process.exit(130));
  process.once('SIGTERM', () => process.exit(143));
  setTimeout(() => {
    console.error(`bench: over ${options.maxSeconds} s, giving up`);
    process.exit(1);
  }, options.maxSeconds * 1000).unref();
  const result = await runBench(options, (line) => console.error(`[bench] ${line}`));
  console.log(report(result, options));
  if (options.json) await writeFile(options.json, `${JSON.stringify({ options, result }, null, 2)}\n`);
}

if (import.meta.main) {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
