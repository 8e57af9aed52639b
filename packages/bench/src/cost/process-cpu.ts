// CPU time of processes from /proc/<pid>/stat (user + system): of one process, or of a process and all under it.
import { execFileSync } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';

type ProcStat = { ppid: number; ownTicks: number; reapedTicks: number };

function clockTicksPerSecond(): number {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
}
const ticksPerSecond = clockTicksPerSecond();

/** Fields after the command name, which is in parentheses and may hold spaces: state, ppid, …, utime (14th), stime, cutime, cstime. */
function parseStat(text: string): ProcStat {
  const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { ppid: Number(f[1]), ownTicks: Number(f[11]) + Number(f[12]), reapedTicks: Number(f[13]) + Number(f[14]) };
}

/** Every process on the machine at one moment (read at once, so the sums of several processes are taken together). */
export class ProcessTable {
  private readonly children = new Map<number, number[]>();

  private constructor(private readonly stats: Map<number, ProcStat>) {
    for (const [pid, s] of stats) this.children.set(s.ppid, [...(this.children.get(s.ppid) ?? []), pid]);
  }

  static async read(): Promise<ProcessTable> {
    const pids = (await readdir('/proc')).filter((name) => /^\d+$/.test(name));
    const stats = new Map<number, ProcStat>();
    await Promise.all(
      pids.map(async (pid) => {
        // A process may end between the listing and the read.
        const text = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null);
        if (text) stats.set(Number(pid), parseStat(text));
      }),
    );
    return new ProcessTable(stats);
  }

  /** CPU seconds of the process alone (all its threads); null when it does not exist. */
  ownSeconds(pid: number): number | null {
    const s = this.stats.get(pid);
    return s ? s.ownTicks / ticksPerSecond : null;
  }

  /**
   * CPU seconds of the process and every process under it: the live ones, and those that exited and were reaped (a
   * parent's cutime/cstime), such as PostgreSQL's backends and autovacuum workers under the postmaster. Null when absent.
   */
  treeSeconds(pid: number): number | null {
    if (!this.stats.has(pid)) return null;
    let ticks = 0;
    const pending = [pid];
    while (pending.length > 0) {
      const next = pending.pop()!;
      const s = this.stats.get(next)!;
      ticks += s.ownTicks + s.reapedTicks;
      pending.push(...(this.children.get(next) ?? []));
    }
    return ticks / ticksPerSecond;
  }
}
