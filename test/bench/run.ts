/**
 * `npm run bench`: Haru Study's room under `wrangler dev` on 127.0.0.1
 * (issue 4, Benchmarks; figures recorded in docs/benchmarks.md).
 *
 * 0. A summary table (issue 14): every figure for Haru's room beside the
 *    floor (a bare Durable Object room), the floor with durability (the
 *    same storing each message), and a minimal PartyServer room, with the
 *    ratios, all from this one run.
 * 1. Fan-out: one participant's message -> the last of N sockets receiving
 *    the broadcast, Haru's room beside the bare rooms and the PartyServer
 *    room in the same workerd, same run, and the worker workerd's CPU per round.
 * 2. Messages per participant over one full 60-minute cycle (injected
 *    clock), against the first Haru Study's polling.
 * 3. A 1,000-socket room of each kind: broadcast p50/p99, connect (32 at a
 *    time), drop-all, reconnect-all, the worker's CPU and memory, and
 *    (Haru) the joins over HTTP.
 *
 * Flags: --sockets N (50) --rounds N (200) --warmup N (20) --no-party
 * --no-bare --cycle 2,5,10 (empty to skip) --big N (1000; 0 skips) --big-rounds N (50)
 * --big-warmup N (5) --deflate off|on|both (both: permessage-deflate on the
 * fan-out sockets not offered and offered, a room each) --keepalive-seconds N
 * (30, the client's keep-alive pace, for the cycle count) --json FILE
 * --max-seconds N (900). Stops by itself: every wait is
 * bounded and the whole run has a deadline.
 */
import { readFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { type BenchApp, startBenchApp } from './app.ts';
import { type BenchSocket, isIn, openRoom, openSocket, roomSocket, type Summary } from './client.ts';
import { cpuMs, findWorkerd, workerPid } from './proc.ts';
import {
  BIG_CONNECT_LIMIT,
  type BigRoomResult,
  type BigRoomSetup,
  type CycleCount,
  closeAll,
  connectBigRoom,
  cycleMessages,
  type FanOutRoom,
  fanOut,
  haruRoom,
  type PeerKind,
  peerRoom,
  ROOM_NAMES,
  type RoomKind,
  stormBigRoom,
} from './scenarios.ts';

/** Rounds per block when the big rooms' broadcasts alternate. */
const BIG_BLOCK = 10;

/** What one run measures. */
export interface BenchOptions {
  sockets: number;
  rounds: number;
  warmup: number;
  party: boolean;
  /** The bare Durable Object rooms (the floor, and the floor that stores each message). */
  bare: boolean;
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
  bare: true,
  deflate: 'both',
  cycleSizes: [2, 5, 10],
  big: 1000,
  bigRounds: 50,
  bigWarmup: 5,
  maxSeconds: 900,
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
  /** The pid of the worker's workerd, whose CPU and memory are read (not the proxy in front of it). */
  workerPid: number | null;
  fanOut: {
    label: string;
    kind: RoomKind;
    deflate: boolean;
    summary: Summary;
    /** Worker workerd CPU per round, ms (user + system, /proc ticks of 10 ms summed over the blocks). */
    cpuMsPerRound: number | null;
  }[];
  cycles: CycleCount[];
  /** One entry per room kind, in the order run (bare, bare + storage, PartyServer, Haru); empty with --big 0. */
  big: BigRoomResult[];
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
  const sockets =
    options.big * bigKinds(options).length +
    options.sockets * 2 * fanOutKinds(options).length +
    Math.max(0, ...options.cycleSizes);
  const needed = 2 * sockets + 512;
  const limit = openFileLimit();
  if (limit !== null && limit < needed) {
    throw new Error(
      `bench: this run needs about ${needed} open files, the limit is ${limit}; raise it first (ulimit -n ${Math.max(needed, 8192)}) or lower --big`,
    );
  }
}

/** The rooms of the fan-out, Haru's first. */
function fanOutKinds(options: BenchOptions): RoomKind[] {
  return [
    'haru',
    ...(options.bare ? (['bare', 'bare-store'] as const) : []),
    ...(options.party ? (['party'] as const) : []),
  ];
}

/** The big rooms in the order they run: the floor first, Haru's last (it then has every other room's sockets beside it). */
function bigKinds(options: BenchOptions): RoomKind[] {
  return [...fanOutKinds(options).slice(1), 'haru'];
}

/** Runs the benchmark; `log` gets progress lines. */
export async function runBench(options: BenchOptions, log: (line: string) => void = () => {}): Promise<BenchResult> {
  checkOpenFileLimit(options);
  const started = performance.now();
  const loadAtStart = loadavg()[0]!;
  let bench: BenchApp | undefined;
  const bigRooms: BigRoomSetup[] = [];
  try {
    log('starting wrangler dev (fresh state, migrations, bench worker entry)...');
    bench = await startBenchApp();
    const { port } = bench;
    const base = bench.app.url;
    const workerd = findWorkerd(port).map(({ pid, role }) => ({ pid, role }));
    log(`wrangler dev on ${base}; workerd: ${workerd.map((w) => `${w.role} ${w.pid}`).join(', ') || 'not found'}`);
    const pid = workerPid(port);
    const cpu = () => (pid === null ? null : cpuMs(pid));

    // Does the server take permessage-deflate when offered? (--deflate decides whether the fan-out sockets offer it.)
    const probeRoom = await openRoom(base, 1);
    const probe = roomSocket(port, probeRoom.studyId, probeRoom.learners[0]!.token);
    const deflateNegotiated = {
      haru: await negotiated(() => openSocket(probe.url, { deflate: true, protocols: probe.protocols }, isIn)),
      party: options.party
        ? await negotiated(() => openSocket(`ws://127.0.0.1:${port}/parties/party-room/probe`, { deflate: true }))
        : 'not run',
    };
    log(`permessage-deflate when offered: haru ${deflateNegotiated.haru}; party ${deflateNegotiated.party}`);

    log(
      `fan-out: ${options.sockets} sockets per room, ${options.warmup} warm-up + ${options.rounds} timed rounds each...`,
    );
    const rooms: (FanOutRoom & { kind: RoomKind; deflate: boolean })[] = [];
    for (const deflate of options.deflate === 'both' ? [false, true] : [options.deflate === 'on']) {
      for (const kind of fanOutKinds(options)) {
        const room =
          kind === 'haru'
            ? await haruRoom(base, port, options.sockets, deflate)
            : await peerRoom(port, kind, options.sockets, deflate, `bench-deflate-${deflate ? 'on' : 'off'}`);
        rooms.push({ ...room, kind, deflate });
      }
    }
    const fanned = await fanOut(rooms, { rounds: options.rounds, warmup: options.warmup, cpu });
    const fanOutResults = rooms.map((room, i) => ({
      label: room.label,
      kind: room.kind,
      deflate: room.deflate,
      ...fanned[i]!,
    }));
    for (const room of rooms) await closeAll(room.sockets);

    const cycles: CycleCount[] = [];
    for (const size of options.cycleSizes) {
      log(`one 60-minute cycle with ${size} participants...`);
      cycles.push(await cycleMessages(base, port, size));
    }

    const big: BigRoomResult[] = [];
    if (options.big > 0) {
      for (const kind of bigKinds(options)) {
        log(
          `big room, ${ROOM_NAMES[kind]}: ${kind === 'haru' ? `${options.big} learners join over HTTP, ` : ''}${options.big} sockets connect...`,
        );
        const setup = await connectBigRoom(base, port, kind, { size: options.big, cpu });
        bigRooms.push(setup);
        log(`  connect ${(setup.connect.ms / 1000).toFixed(1)} s`);
      }
      log(
        `big rooms: ${options.bigWarmup} + ${options.bigRounds} broadcasts each, rooms alternating in blocks of ${BIG_BLOCK}...`,
      );
      const broadcasts = await fanOut(
        bigRooms.map((setup) => setup.fan),
        { rounds: options.bigRounds, warmup: options.bigWarmup, block: BIG_BLOCK, cpu },
      );
      for (const [k, setup] of bigRooms.entries()) {
        log(`big room, ${ROOM_NAMES[setup.kind]}: all but one drop at once, then they reconnect...`);
        const storms = await stormBigRoom(port, setup, cpu);
        const resumed = setup.kind === 'haru' ? ` (${storms.reconnect.resumed} came back with a resume)` : '';
        log(
          `  drop ${(storms.drop.ms / 1000).toFixed(1)} s, reconnect ${(storms.reconnect.ms / 1000).toFixed(1)} s${resumed}`,
        );
        big.push({
          kind: setup.kind,
          size: setup.size,
          members: setup.members,
          joins: setup.joins,
          connect: setup.connect,
          broadcast: broadcasts[k]!,
          ...storms,
          memory: setup.memory,
        });
      }
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
      workerPid: pid,
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
    for (const setup of bigRooms) for (const socket of setup.sockets) socket.terminate();
  }
}

// ---------------------------------------------------------------- report

const ms = (x: number) => x.toFixed(2);
const mib = (kib: number | null) => (kib === null ? 'n/a' : `${(kib / 1024).toFixed(1)} MiB`);
const secs = (x: number) => `${(x / 1000).toFixed(1)} s`;

/** The columns of the summary table: the rooms, then Haru's figure over each other room's. */
const SUMMARY_ROOMS: RoomKind[] = ['haru', 'bare', 'bare-store', 'party'];
const RATIO_ROOMS: PeerKind[] = ['bare', 'bare-store', 'party'];

/** One summary row: a figure's values per room (null: not measured), shown by `show`. */
interface SummaryRow {
  figure: string;
  values: Partial<Record<RoomKind, number[] | null>>;
  show: (values: number[]) => string;
}

/**
 * The issue-14 table: each figure for every room of this run, and Haru's
 * over each other room's (for a pair such as p50 / p99, each over its own).
 */
export function summaryTable(result: BenchResult, options: BenchOptions): string[] {
  const rows: SummaryRow[] = [];
  const msPair = (v: number[]) => `${v.map(ms).join(' / ')} ms`;
  const oneMs = (v: number[]) => `${ms(v[0]!)} ms`;
  const oneS = (v: number[]) => secs(v[0]!);
  const fan = (kind: RoomKind) => result.fanOut.find((f) => f.kind === kind && !f.deflate);
  const S = options.sockets;
  rows.push({
    figure: `${S} sockets, submit -> ${S}th receipt, p50 / p99`,
    values: Object.fromEntries(
      SUMMARY_ROOMS.map((k) => {
        const f = fan(k);
        return [k, f ? [f.summary.p50, f.summary.p99] : null];
      }),
    ),
    show: msPair,
  });
  rows.push({
    figure: `${S} sockets, worker workerd CPU per round`,
    values: Object.fromEntries(
      SUMMARY_ROOMS.map((k) => {
        const cpu = fan(k)?.cpuMsPerRound;
        return [k, cpu === undefined || cpu === null ? null : [cpu]];
      }),
    ),
    show: oneMs,
  });
  const big = (kind: RoomKind) => result.big.find((b) => b.kind === kind);
  if (result.big.length > 0) {
    const N = result.big[0]!.size.toLocaleString('en');
    const per = (pick: (b: BigRoomResult) => number[] | null) =>
      Object.fromEntries(
        SUMMARY_ROOMS.map((k) => {
          const b = big(k);
          return [k, b ? pick(b) : null];
        }),
      );
    const cpuPer = (p: { cpuMs: number | null }, n: number) => (p.cpuMs === null ? null : [p.cpuMs / n]);
    rows.push({
      figure: `${N} sockets, p50 / p99`,
      values: per((b) => [b.broadcast.summary.p50, b.broadcast.summary.p99]),
      show: msPair,
    });
    rows.push({
      figure: `${N} sockets, worker workerd CPU per round`,
      values: per((b) => (b.broadcast.cpuMsPerRound === null ? null : [b.broadcast.cpuMsPerRound])),
      show: oneMs,
    });
    rows.push({
      figure: `${N} sockets connect (${BIG_CONNECT_LIMIT} at a time)`,
      values: per((b) => [b.connect.ms]),
      show: oneS,
    });
    rows.push({ figure: 'worker CPU per connect', values: per((b) => cpuPer(b.connect, b.size)), show: oneMs });
    rows.push({
      figure: `all ${N} close at once (all but 1 watcher), until every close is handled`,
      values: per((b) => [b.drop.ms]),
      show: oneS,
    });
    rows.push({
      figure: `all ${N} reconnect (${BIG_CONNECT_LIMIT} at a time)`,
      values: per((b) => [b.reconnect.ms]),
      show: oneS,
    });
    rows.push({
      figure: 'worker CPU per reconnect',
      values: per((b) => cpuPer(b.reconnect, b.drop.closed)),
      show: oneMs,
    });
    rows.push({
      figure: `${N} joins over HTTP before connecting (8 at a time)`,
      values: per((b) => (b.joins ? [b.joins.ms] : null)),
      show: oneS,
    });
    rows.push({
      figure: `(before them: ${N} guest members made over HTTP, 16 at a time)`,
      values: per((b) => (b.members ? [b.members.ms] : null)),
      show: oneS,
    });
    const growth = (b: BigRoomResult) => {
      const [before, after] = b.memory.slice(-2);
      return before?.workerKiB && after?.workerKiB ? [after.workerKiB - before.workerKiB, after.workerKiB] : null;
    };
    rows.push({
      figure: `worker workerd RSS growth connecting ${N} (RSS then)`,
      values: per(growth),
      show: (v) => `${mib(v[0]!)} (${mib(v[1]!)})`,
    });
  }
  const present = SUMMARY_ROOMS.filter((k) => rows.some((r) => r.values[k]));
  const ratios = RATIO_ROOMS.filter((k) => present.includes(k));
  const ratioNames: Record<PeerKind, string> = { bare: 'bare', 'bare-store': 'bare+storage', party: 'PartyServer' };
  const out: string[] = [];
  out.push(
    `| figure (one run) | ${present.map((k) => ROOM_NAMES[k]).join(' | ')} | ${ratios.map((k) => `Haru / ${ratioNames[k]}`).join(' | ')} |`,
  );
  out.push(`| --- | ${[...present, ...ratios].map(() => '---:').join(' | ')} |`);
  for (const row of rows) {
    const cells = present.map((k) => {
      const v = row.values[k];
      return v ? row.show(v) : '-';
    });
    const haru = row.values.haru;
    const ratioCells = ratios.map((k) => {
      const v = row.values[k];
      if (!haru || !v) return '-';
      // Memory: the ratio of the growth, not of the absolute RSS (a high-water mark shared by every room).
      const pairs = row.figure.startsWith('worker workerd RSS') ? [0] : haru.map((_, i) => i);
      return pairs.map((i) => `${(haru[i]! / v[i]!).toFixed(2)}x`).join(' / ');
    });
    out.push(`| ${row.figure} | ${[...cells, ...ratioCells].join(' | ')} |`);
  }
  return out;
}

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
  lines.push(
    `CPU and memory are the worker workerd's (pid ${result.workerPid ?? 'not found'}: the one running the Worker, its Durable Objects and the local D1), not the proxy workerd's; CPU is user + system time from /proc/<pid>/stat (10 ms ticks), over the timed rounds or the phase.`,
  );
  lines.push('');
  lines.push('## Summary: Haru beside the floor, the floor with durability, and PartyServer (issue 14)');
  lines.push(
    `Same run, same harness, same message size and clients for every room; permessage-deflate off. The ${options.sockets}-socket rows are section 1's deflate-off rooms; the rest are section 3's. Ratios are Haru's figure over the other room's (RSS: over the growth).`,
  );
  lines.push('');
  lines.push(...summaryTable(result, options));
  lines.push('');
  lines.push(
    `## 1. Fan-out: one participant's message -> the last of ${options.sockets} sockets receives the broadcast (ms)`,
  );
  lines.push(
    `${options.rounds} timed rounds per room after ${options.warmup} warm-up, the acting socket rotating, rooms alternating in blocks of 50. Haru: a learner re-sends their plan (validated, stored, owed to D1, acked, broadcast as \`submitted\`). The others: a connection sends a message of the same shape and size as Haru's \`submitted\` event and the room sends it to everyone, the sender included (the bare + storage room first inserts it as a row in the object's SQLite; the output gate holds the broadcast until that is durable).`,
  );
  lines.push('');
  lines.push('| room | rounds | min | p50 | p95 | p99 | max | mean | worker CPU / round |');
  lines.push('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const { label, summary: s, cpuMsPerRound } of result.fanOut) {
    lines.push(
      `| ${label} | ${s.n} | ${ms(s.min)} | ${ms(s.p50)} | ${ms(s.p95)} | ${ms(s.p99)} | ${ms(s.max)} | ${ms(s.mean)} | ${cpuMsPerRound === null ? 'n/a' : ms(cpuMsPerRound)} |`,
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
  if (result.big.length > 0) {
    const size = result.big[0]!.size;
    lines.push('');
    lines.push(`## 3. Rooms of ${size.toLocaleString('en')} sockets`);
    lines.push(
      `One room of each kind. They connect one after the other in the order below and all stay connected to the end (so each room's memory growth is new memory, not memory an earlier room freed; Haru's room connects last, beside all the others' sockets); then the broadcasts of all of them are timed together, rooms alternating in blocks of ${BIG_BLOCK} rounds; then each room in turn has its drop-all and reconnect-all storms. Connect and reconnect: ${BIG_CONNECT_LIMIT} at a time, each socket counted in when it is in (Haru: its snapshot arrived, or on reconnecting, where each says which event number it last heard ("since"), the snapshot or the resume that stands for it when only presence changed since; the others: the socket is open). Drop-all: every socket but one (the watcher) sends its close at once; done when the room has handled every close (Haru: the watcher, a level-3 page, has received an offline presence for every closed participant, which the room sends for each presence window of closes it handled (a window ends 100 ms after its last change, and lasts at most 1 ms per socket, up to 1 s); the others: the room's own count of close handlers run, read over HTTP every 20 ms). Every socket received every broadcast (a missing receipt fails the run). CPU is the worker workerd's (user + system from /proc, 10 ms ticks), not the proxy's. permessage-deflate off.`,
    );
    lines.push('');
    lines.push(
      '| room | members + joins over HTTP | connect | CPU / connect | p50 / p99 (ms) | CPU / round | drop-all (client closes done) | reconnect | CPU / reconnect |',
    );
    lines.push('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
    for (const b of result.big) {
      const per = (p: { cpuMs: number | null }, n: number) => (p.cpuMs === null ? 'n/a' : `${ms(p.cpuMs / n)} ms`);
      lines.push(
        `| ${ROOM_NAMES[b.kind]} | ${b.joins && b.members ? `${secs(b.members.ms)} + ${secs(b.joins.ms)}` : '-'} | ${secs(b.connect.ms)} | ${per(b.connect, b.size)} | ${ms(b.broadcast.summary.p50)} / ${ms(b.broadcast.summary.p99)} | ${b.broadcast.cpuMsPerRound === null ? 'n/a' : `${ms(b.broadcast.cpuMsPerRound)} ms`} | ${secs(b.drop.ms)} (${secs(b.drop.clientsClosedMs)}) | ${secs(b.reconnect.ms)}${b.kind === 'haru' ? ` (${b.reconnect.resumed} resumed)` : ''} | ${per(b.reconnect, b.drop.closed)} |`,
      );
    }
    lines.push('');
    lines.push(
      `Broadcast to ${size} sockets, ms (${result.big[0]!.broadcast.summary.n} timed rounds each; nearest-rank, so with fewer than 100 rounds p99 is the worst round):`,
    );
    lines.push('');
    lines.push('| room | rounds | min | p50 | p95 | p99 | max | mean |');
    lines.push('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
    for (const b of result.big) {
      const s = b.broadcast.summary;
      lines.push(
        `| ${ROOM_NAMES[b.kind]} (${b.size} sockets) | ${s.n} | ${ms(s.min)} | ${ms(s.p50)} | ${ms(s.p95)} | ${ms(s.p99)} | ${ms(s.max)} | ${ms(s.mean)} |`,
      );
    }
    lines.push('');
    lines.push('Memory: the resident set (VmRSS) of the worker workerd and of the proxy workerd in front of it.');
    lines.push('');
    lines.push('| moment | worker workerd RSS | proxy workerd RSS |');
    lines.push('| --- | ---: | ---: |');
    for (const m of result.big.flatMap((b) => b.memory))
      lines.push(`| ${m.label} | ${mib(m.workerKiB)} | ${mib(m.proxyKiB)} |`);
    lines.push('');
    for (const b of result.big) {
      const before = b.memory[b.memory.length - 2];
      const after = b.memory[b.memory.length - 1];
      if (!before?.workerKiB || !after?.workerKiB) continue;
      const d = after.workerKiB - before.workerKiB;
      const p = before.proxyKiB && after.proxyKiB ? after.proxyKiB - before.proxyKiB : null;
      lines.push(
        `- ${ROOM_NAMES[b.kind]}, connecting ${b.size}: worker workerd ${d >= 0 ? '+' : ''}${mib(d)} (${(d / b.size).toFixed(1)} KiB per socket)${p === null ? '' : `, proxy workerd ${p >= 0 ? '+' : ''}${mib(p)} (${(p / b.size).toFixed(1)} KiB per socket)`}.`,
      );
    }
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
      'no-bare': { type: 'boolean' },
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
    bare: !values['no-bare'],
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

/** What `npm run bench -- --help` prints, and a wrong option with it. */
const USAGE = `usage: npm run bench -- [--sockets N] [--rounds N] [--warmup N] [--no-party] [--no-bare]
  [--deflate off|on|both] [--cycle 2,5,10] [--big N] [--big-rounds N] [--big-warmup N]
  [--max-seconds N] [--keepalive-seconds N] [--json FILE]
Prints the tables of docs/benchmarks.md; --big 0 skips the 1,000-socket rooms.`;

async function main(): Promise<void> {
  if (process.argv.includes('--help')) {
    console.log(USAGE);
    return;
  }
  let options: ReturnType<typeof parseOptions>;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    process.exit(2);
  }
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
