/**
 * Finds the workerd processes `wrangler dev` started under this process and
 * reads their memory from /proc (Linux only).
 *
 * wrangler dev runs two workerd processes: a proxy that owns the port the
 * clients connect to (it relays every request and WebSocket frame), and the
 * one that runs the worker and its Durable Objects. The proxy is the one
 * holding the listening socket on that port; the other is the worker's.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/** One workerd process, its role and resident memory. */
export interface Workerd {
  pid: number;
  role: 'proxy' | 'worker';
  rssKiB: number;
}

/** pid -> parent pid and command name for every process we can see. */
function processTable(): Map<number, { ppid: number; comm: string }> {
  const table = new Map<number, { ppid: number; comm: string }>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // "pid (comm) state ppid ...": comm may hold spaces or parentheses.
      const close = stat.lastIndexOf(')');
      const comm = stat.slice(stat.indexOf('(') + 1, close);
      const ppid = Number(stat.slice(close + 2).split(' ')[1]);
      table.set(Number(entry), { ppid, comm });
    } catch {
      // The process ended while we looked.
    }
  }
  return table;
}

/** Every descendant of `root` (children, grandchildren, ...). */
function descendants(root: number, table: Map<number, { ppid: number; comm: string }>): number[] {
  const found: number[] = [];
  const queue = [root];
  for (let i = 0; i < queue.length && i < 10_000; i++) {
    for (const [pid, info] of table) {
      if (info.ppid === queue[i]) {
        found.push(pid);
        queue.push(pid);
      }
    }
  }
  return found;
}

/** Socket inodes listening on `port` (IPv4 and IPv6). */
function listeningInodes(port: number): Set<string> {
  const inodes = new Set<string>();
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      // local_address is cols[1] ("ADDR:PORT"), st is cols[3] ("0A" = LISTEN), inode is cols[9].
      if (cols.length > 9 && cols[1]?.endsWith(`:${hexPort}`) && cols[3] === '0A') inodes.add(cols[9]!);
    }
  }
  return inodes;
}

/** Whether `pid` holds one of `inodes` as an open file. */
function holdsSocket(pid: number, inodes: Set<string>): boolean {
  let fds: string[] = [];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return false;
  }
  for (const fd of fds) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (match && inodes.has(match[1]!)) return true;
    } catch {
      // fd closed meanwhile
    }
  }
  return false;
}

/** Resident set size of `pid` in KiB (VmRSS), or 0 if it is gone. */
export function rssKiB(pid: number): number {
  try {
    const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

/**
 * The workerd processes below this process, the proxy told apart by the
 * listening socket on `port`. Empty where /proc is not there.
 */
export function findWorkerd(port: number): Workerd[] {
  let table: Map<number, { ppid: number; comm: string }>;
  try {
    table = processTable();
  } catch {
    return [];
  }
  const inodes = listeningInodes(port);
  return descendants(process.pid, table)
    .filter((pid) => table.get(pid)?.comm === 'workerd')
    .map((pid) => ({
      pid,
      role: holdsSocket(pid, inodes) ? ('proxy' as const) : ('worker' as const),
      rssKiB: rssKiB(pid),
    }));
}

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ: 100 on Linux). */
const USER_HZ = 100;

/**
 * CPU time `pid` has used so far, user + system over all its threads
 * (including threads that have ended), in ms, from /proc/<pid>/stat (10 ms
 * ticks); null if it cannot be read.
 */
export function cpuMs(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // After "pid (comm) ": state is field 3, utime field 14, stime field 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? (ticks * 1000) / USER_HZ : null;
  } catch {
    return null;
  }
}

/**
 * The pid of the workerd that runs the worker (not the proxy in front of
 * it), or null when there is not exactly one.
 */
export function workerPid(port: number): number | null {
  const workers = findWorkerd(port).filter((w) => w.role === 'worker');
  return workers.length === 1 ? workers[0]!.pid : null;
}
