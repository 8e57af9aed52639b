// What test files use of the shared stack: its URLs, and stopping/starting Kafka for fault tests.
import { inject } from 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    kafkaBrokers: string[];
    /** 'environment' | 'testcontainers' | 'local': where PostgreSQL and Kafka came from. */
    stackPath: string;
    /** Base URL of the globalSetup's Kafka control server (POST /kafka/stop, /kafka/start, /kafka/restart). */
    kafkaControlUrl: string;
    /** False when Kafka came from KAFKA_BROKERS: stopKafka()/startKafka() then throw. */
    kafkaControllable: boolean;
  }
}

export function stackUrls(): { databaseUrl: string; kafkaBrokers: string[]; stackPath: string } {
  return { databaseUrl: inject('databaseUrl'), kafkaBrokers: inject('kafkaBrokers'), stackPath: inject('stackPath') };
}

async function control(action: 'stop' | 'start' | 'restart' | 'pause' | 'resume'): Promise<void> {
  const response = await fetch(`${inject('kafkaControlUrl')}/kafka/${action}`, { method: 'POST', signal: AbortSignal.timeout(180_000) });
  const body = (await response.json().catch(() => ({}))) as { error?: string };
  if (!response.ok) throw new Error(`Kafka ${action} failed (HTTP ${response.status}): ${body.error ?? 'no detail'}`);
}

/** Stops the shared Kafka (same data kept); resolves once the broker process is gone. */
export const stopKafka = (): Promise<void> => control('stop');
/** Starts the shared Kafka again on the same port with the same data; resolves once clients can connect. */
export const startKafka = (): Promise<void> => control('start');
export const restartKafka = (): Promise<void> => control('restart');
/** Freezes the shared Kafka (SIGSTOP): its connections stay open and nothing answers. Always resume it after. */
export const pauseKafka = (): Promise<void> => control('pause');
export const resumeKafka = (): Promise<void> => control('resume');
