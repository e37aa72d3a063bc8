import { spawnSync } from 'node:child_process';
import fs from 'node:fs';

const TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

/** CPU seconds (user + system) a process has used, from /proc. */
export function cpuSeconds(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS;
  } catch {
    return 0;
  }
}

function parentOf(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return -1;
  }
}

function nameOf(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
}

/** A process and all its descendants (a browser and its renderers, GPU and utility processes). */
export function familyOf(root: number): number[] {
  const all = fs
    .readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map(Number);
  const family = new Set([root]);
  for (let grew = true; grew;) {
    grew = false;
    for (const pid of all) {
      if (family.has(pid) || !family.has(parentOf(pid))) continue;
      family.add(pid);
      grew = true;
    }
  }
  return [...family];
}

/** Descendants whose process name starts with `name` (the kernel keeps only 15 characters of it). */
export function childrenNamed(parent: number, name: string): number[] {
  return familyOf(parent).filter((pid) => pid !== parent && name.startsWith(nameOf(pid)) && nameOf(pid).length > 0);
}

/** Percent of one core used by a set of processes while `during` runs. */
export async function cpuPercent(pids: () => number[], during: () => Promise<number>): Promise<{ percent: number; seconds: number }> {
  const list = pids();
  const before = list.reduce((a, p) => a + cpuSeconds(p), 0);
  const t0 = performance.now();
  await during();
  const wall = (performance.now() - t0) / 1000;
  const used = list.reduce((a, p) => a + cpuSeconds(p), 0) - before;
  return { percent: (used / wall) * 100, seconds: wall };
}
