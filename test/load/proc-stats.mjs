// Resident memory and CPU time of another process, read from /proc (Linux only).
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

const ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());

/**
 * @param {number} pid
 * @returns {{ rssMb: number, peakRssMb: number, cpuMs: number, atMs: number }}
 */
export function procSample(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (/** @type {string} */ field) =>
    Number(new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, 'm').exec(status)?.[1] ?? Number.NaN);
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name may contain spaces and parentheses: fields are counted after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return {
    rssMb: kb('VmRSS') / 1024,
    peakRssMb: kb('VmHWM') / 1024,
    cpuMs: (ticks * 1000) / ticksPerSecond,
    atMs: performance.now(),
  };
}

/**
 * CPU use between two samples: ms of CPU and the share of one core over the wall time between them.
 * @param {{ cpuMs: number, atMs: number }} before
 * @param {{ cpuMs: number, atMs: number }} after
 */
export function cpuBetween(before, after) {
  const cpuMs = after.cpuMs - before.cpuMs;
  const wallMs = after.atMs - before.atMs;
  return { cpuMs, corePercent: wallMs > 0 ? (100 * cpuMs) / wallMs : 0 };
}

/**
 * Machine-wide CPU time (all cores) from /proc/stat, to tell how much went to other processes.
 * @returns {{ busyMs: number, atMs: number }}
 */
export function systemCpuSample() {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const [, ...ticks] = line.trim().split(/\s+/).map(Number);
  // user nice system idle iowait irq softirq steal: idle and iowait are not busy.
  const busy = ticks.slice(0, 8).reduce((sum, t, i) => (i === 3 || i === 4 ? sum : sum + t), 0);
  return { busyMs: (busy * 1000) / ticksPerSecond, atMs: performance.now() };
}

/** The 1-minute load average, noted with each table: other work on the machine skews figures. */
export function loadAverage1m() {
  return Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
}

/** Cores the machine has, as the tables state them. */
export function cpuCount() {
  return readFileSync('/proc/cpuinfo', 'utf8').match(/^processor\s*:/gm)?.length ?? 0;
}

/**
 * Every process whose environment carries `key=value`: run-all.mjs proves nothing outlived a run.
 * @param {string} key
 * @param {string} value
 * @returns {{ pid: number, command: string }[]}
 */
export function processesWithEnv(key, value) {
  const needle = `${key}=${value}`;
  /** @type {{ pid: number, command: string }[]} */
  const found = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const environ = readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0');
      if (!environ.includes(needle)) continue;
      const command = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
      found.push({ pid: Number(entry), command });
    } catch {
      // Gone meanwhile, or not ours to read.
    }
  }
  return found;
}

/**
 * A process and all its descendants (a stand-in's wrapper and the JVM under it).
 * @param {number} pid
 * @returns {number[]}
 */
export function processTree(pid) {
  const all = [pid];
  for (let i = 0; i < all.length; i++) {
    const parent = /** @type {number} */ (all[i]);
    try {
      for (const task of readdirSync(`/proc/${parent}/task`)) {
        const children = readFileSync(`/proc/${parent}/task/${task}/children`, 'utf8').trim();
        if (children) all.push(...children.split(' ').map(Number));
      }
    } catch {
      // Exited meanwhile.
    }
  }
  return all;
}

/**
 * CPU time and RSS summed over a process tree.
 * @param {number} pid
 * @returns {{ rssMb: number, peakRssMb: number, cpuMs: number, atMs: number }}
 */
export function treeSample(pid) {
  const total = { rssMb: 0, peakRssMb: 0, cpuMs: 0, atMs: performance.now() };
  for (const member of processTree(pid)) {
    try {
      const sample = procSample(member);
      total.rssMb += sample.rssMb;
      total.peakRssMb += sample.peakRssMb;
      total.cpuMs += sample.cpuMs;
    } catch {
      // Exited meanwhile.
    }
  }
  return total;
}
