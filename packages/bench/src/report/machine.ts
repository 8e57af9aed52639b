// The facts a figure needs beside it: what machine and which versions produced it.
import { cpus, loadavg, totalmem } from 'node:os';
import type { Database } from '@switchboard/db';

export type MachineFacts = {
  date: string;
  cores: number;
  cpuModel: string;
  totalMemoryGiB: number;
  loadAverageAtStart: number[];
  node: string;
  postgres: string;
  kafka: string;
};

export async function machineFacts(db: Database, kafkaVersion: string | undefined): Promise<MachineFacts> {
  const [row] = await db.$client<{ version: string }[]>`select version()`;
  return {
    date: new Date().toISOString(),
    cores: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    totalMemoryGiB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    loadAverageAtStart: loadavg().map((l) => Math.round(l * 100) / 100),
    node: process.version,
    postgres: row!.version,
    kafka: kafkaVersion ?? 'unknown (from KAFKA_BROKERS)',
  };
}
