// Cost per call: the CPU seconds each server of the stack used over a phase, divided by the calls accepted in it.
import type { Database } from '@switchboard/db';
import { ProcessTable } from './process-cpu.ts';

/** The processes a phase's cost is read from; PostgreSQL and call-api include the processes under them. */
export const measuredProcesses = ['callApi', 'queueWorker', 'prototype', 'postgres', 'kafka'] as const;
export type MeasuredProcess = (typeof measuredProcesses)[number];
export type PerProcess<T> = Record<MeasuredProcess, T>;

export const processNames: PerProcess<string> = {
  callApi: 'call-api',
  queueWorker: 'queue-worker',
  prototype: 'prototype server',
  postgres: 'PostgreSQL',
  kafka: 'Kafka',
};

type Snapshot = {
  at: number;
  seconds: PerProcess<number | null>;
  /** CPU seconds of the bench's own database backends (its checks and drain polls), by pid: not the system's work. */
  benchBackends: Map<number, number>;
  /** The bench process itself: the load generator (and, outside the rounds, the end-to-end reader). */
  benchSeconds: number;
  walLsn: bigint;
};

/** What one phase cost, process by process. Null where the bench did not start the process and cannot see it. */
export type PhaseCpu = { wallSec: number; cpuSec: PerProcess<number | null>; benchSec: number; walBytes: number };

export type CallCost = {
  calls: number;
  /** The processes the design runs on, whose sum is `totalMsPerCall`. */
  counted: MeasuredProcess[];
  msPerCall: PerProcess<number | null>;
  totalMsPerCall: number;
  /** Whether a counted process could not be measured (PostgreSQL or Kafka from the environment): the total is short. */
  incomplete: boolean;
  benchMsPerCall: number;
  walBytesPerCall: number;
};

const lsn = (text: string): bigint => {
  const [high, low] = text.split('/');
  return (BigInt(`0x${high}`) << 32n) | BigInt(`0x${low}`);
};

/** Reads CPU counters of the stack's processes at the start and end of each phase. */
export class CpuMeter {
  constructor(
    private readonly pids: () => Partial<Record<MeasuredProcess, number | undefined>>,
    private readonly db: Database,
    /** `application_name` of the bench's own connections, whose backends' CPU is taken out of PostgreSQL's. */
    private readonly benchApplicationName: string,
  ) {}

  async snapshot(): Promise<Snapshot> {
    const [row] = await this.db.$client<{ lsn: string; pids: number[] }[]>`
      select pg_current_wal_lsn()::text as lsn,
             array(select pid from pg_stat_activity where application_name = ${this.benchApplicationName}) as pids`;
    const table = await ProcessTable.read();
    const pids = this.pids();
    const seconds = Object.fromEntries(
      measuredProcesses.map((name) => {
        const pid = pids[name];
        return [name, pid === undefined ? null : table.treeSeconds(pid)];
      }),
    ) as PerProcess<number | null>;
    const benchBackends = new Map(row!.pids.map((pid) => [pid, table.ownSeconds(pid) ?? 0]));
    const { user, system } = process.cpuUsage();
    return { at: performance.now(), seconds, benchBackends, benchSeconds: (user + system) / 1e6, walLsn: lsn(row!.lsn) };
  }

  /** Starts measuring; the returned function ends the phase and says what it cost. */
  async start(): Promise<() => Promise<PhaseCpu>> {
    const before = await this.snapshot();
    return async () => between(before, await this.snapshot());
  }
}

function between(a: Snapshot, b: Snapshot): PhaseCpu {
  let benchBackends = 0;
  for (const [pid, seconds] of b.benchBackends) benchBackends += seconds - (a.benchBackends.get(pid) ?? 0);
  const cpuSec = Object.fromEntries(
    measuredProcesses.map((name) => {
      const [start, end] = [a.seconds[name], b.seconds[name]];
      if (start === null || end === null) return [name, null];
      return [name, end - start - (name === 'postgres' ? benchBackends : 0)];
    }),
  ) as PerProcess<number | null>;
  return { wallSec: (b.at - a.at) / 1_000, cpuSec, benchSec: b.benchSeconds - a.benchSeconds, walBytes: Number(b.walLsn - a.walLsn) };
}

/** Sums of all the design's phases (every round) divided by the calls they accepted: steadier than a median of ratios. */
export function costPerCall(phases: { cpu: PhaseCpu; calls: number }[], counted: MeasuredProcess[]): CallCost {
  const calls = phases.reduce((sum, p) => sum + p.calls, 0);
  const perCall = (seconds: number) => (calls > 0 ? (seconds * 1_000) / calls : 0);
  const msPerCall = Object.fromEntries(
    measuredProcesses.map((name) => {
      const values = phases.map((p) => p.cpu.cpuSec[name]);
      return [name, values.some((v) => v === null) ? null : perCall(values.reduce<number>((sum, v) => sum + v!, 0))];
    }),
  ) as PerProcess<number | null>;
  return {
    calls,
    counted,
    msPerCall,
    totalMsPerCall: counted.reduce((sum, name) => sum + (msPerCall[name] ?? 0), 0),
    incomplete: counted.some((name) => msPerCall[name] === null),
    benchMsPerCall: perCall(phases.reduce((sum, p) => sum + p.cpu.benchSec, 0)),
    walBytesPerCall: calls > 0 ? phases.reduce((sum, p) => sum + p.cpu.walBytes, 0) / calls : 0,
  };
}
