/**
 * CPU time and system calls of processes, read from /proc (Linux): figures that move far less
 * than throughput on a shared machine. Used by the benchmark and the CPU probe.
 */
import { readdirSync, readFileSync } from "node:fs";

const TICK_US = 1e6 / 100; // USER_HZ

/**
 * user + system CPU µs of one process and of its children that have exited, from
 * /proc/<pid>/stat: a PostgreSQL backend that exits during a measurement (a pool closing)
 * leaves its time in the postmaster's children's time, so the sum over the live processes
 * still counts it.
 */
export function cpuOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const [utime, stime, cutime, cstime] = fields.slice(11, 15).map(Number);
    return (utime + stime + cutime + cstime) * TICK_US;
  } catch {
    return 0;
  }
}

/** Read and write system calls of one process, from /proc/<pid>/io. */
export function syscallsOf(pid: number): { reads: number; writes: number } {
  try {
    const io = readFileSync(`/proc/${pid}/io`, "utf8");
    const get = (k: string) => Number(new RegExp(`^${k}: (\\d+)`, "m").exec(io)?.[1] ?? 0);
    return { reads: get("syscr"), writes: get("syscw") };
  } catch {
    return { reads: 0, writes: 0 };
  }
}

export function pidsNamed(name: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, "utf8").trim() === name) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

/** The machine: busy and softirq µs over all CPUs, from /proc/stat. */
export function machine(): { busy: number; softirq: number } {
  const cpu = readFileSync("/proc/stat", "utf8").split("\n")[0].split(/\s+/).slice(1).map(Number);
  const [user, nice, system, , , irq, softirq, steal] = cpu;
  return {
    busy: (user + nice + system + irq + softirq + steal) * TICK_US,
    softirq: softirq * TICK_US,
  };
}

/** user + system CPU µs of every process with this name (exited children included). */
export function cpuOfAll(name: string): number {
  return pidsNamed(name).reduce((sum, pid) => sum + cpuOf(pid), 0);
}
