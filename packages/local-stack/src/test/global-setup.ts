// Vitest globalSetup of the integration project: one PostgreSQL and one Kafka for all test files, migrated and with topics.
import type { TestProject } from 'vitest/node';
import { migrateDatabase } from '@switchboard/db';
import { createKafka, ensureTopics } from '@switchboard/messaging';
import { defaultTopics } from '@switchboard/contracts';
import { buildServices } from '../build-services.ts';
import { provisionServices } from '../provision.ts';
import { startKafkaControl } from './kafka-control.ts';
// For the ProvidedContext keys that project.provide checks.
import type {} from './context.ts';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const started = performance.now();
  // The end-to-end tests spawn the services as they run in production, compiled: built from the sources as they are now.
  const built = await buildServices();
  console.log(`[local-stack] services compiled in ${Math.round(performance.now() - started)} ms: ${built.map((b) => b.output).join(', ')}`);
  // Tests must never skip for want of infrastructure: provisionServices throws saying what to install.
  const stack = await provisionServices({ useTestcontainers: true });
  try {
    await migrateDatabase(stack.databaseUrl);
    const kafka = createKafka({ brokers: stack.kafkaBrokers, clientId: 'local-stack-setup' });
    await ensureTopics(kafka, Object.values(defaultTopics).map((topic) => ({ topic, partitions: 6 })));
  } catch (error) {
    await stack.stop().catch(() => {});
    throw error;
  }
  const control = await startKafkaControl(stack.kafka, 'Kafka came from KAFKA_BROKERS, so this test run does not own it');
  console.log(
    `[local-stack] stack ready in ${((performance.now() - started) / 1000).toFixed(1)} s ` +
      `(PostgreSQL ${stack.timings.postgresMs ?? '-'} ms, Kafka ${stack.timings.kafkaMs ?? '-'} ms, both started together)`,
  );

  project.provide('databaseUrl', stack.databaseUrl);
  project.provide('kafkaBrokers', stack.kafkaBrokers);
  project.provide('stackPath', stack.path);
  project.provide('kafkaControlUrl', control.url);
  project.provide('kafkaControllable', stack.kafka !== undefined);

  return async () => {
    await control.close();
    await stack.stop();
  };
}
