// Real PostgreSQL and Kafka for development, tests and CI: from the environment, Testcontainers, or local binaries.
export { provisionServices, type ProvisionOptions, type ProvisionedServices, type StackPath } from './provision.ts';
export { startLocalPostgres, postgresCredentials, type LocalPostgres, type LocalPostgresOptions } from './postgres.ts';
export { startLocalKafka, waitForKafka, type LocalKafka, type LocalKafkaOptions } from './kafka.ts';
export { ensureKafkaJars, kafkaVersion } from './kafka-jars.ts';
export { loadDemoData, demoAgents } from './demo-data.ts';
export { freePort } from './process.ts';
