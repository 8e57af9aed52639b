// compose.yaml stays true to the code: it parses, and each service's environment passes that service's own config schema.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { z } from 'zod';
import { commonEnv } from '@switchboard/contracts';
import { CallApiEnv } from '../../call-api/src/config.ts';
import { QueueWorkerEnv } from '../../queue-worker/src/config.ts';
import { relative } from 'node:path';
import { kafkaVersion, repoRoot } from '../src/kafka-jars.ts';
import { serviceEntries, serviceNodeFlags } from '../src/services.ts';

type Service = {
  image?: string;
  build?: { context: string; target: string };
  environment?: Record<string, string | number>;
  ports?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  restart?: string;
};
const compose = parse(readFileSync(new URL('../../../compose.yaml', import.meta.url), 'utf8'), { merge: true }) as { services: Record<string, Service> };
const dockerfile = readFileSync(new URL('../../../Dockerfile', import.meta.url), 'utf8');
const env = (s: Service) => Object.fromEntries(Object.entries(s.environment ?? {}).map(([k, v]) => [k, String(v)]));

describe('compose.yaml', () => {
  it('has the whole stack', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['call-api', 'kafka', 'kafka-ui', 'migrate', 'postgres', 'queue-worker']);
  });

  it.each([
    ['call-api', CallApiEnv],
    ['queue-worker', QueueWorkerEnv],
    ['migrate', z.object({ DATABASE_URL: commonEnv.DATABASE_URL })],
  ] as const)('sets every variable %s requires, with values its schema accepts', (name, schema) => {
    const result = schema.safeParse(env(compose.services[name]!));
    expect(result.success, JSON.stringify(result.error?.issues)).toBe(true);
  });

  it.each(['call-api', 'queue-worker'])('%s publishes its PORT, checks its readiness, and starts after migrate and a healthy Kafka', (name) => {
    const service = compose.services[name]!;
    const port = env(service).PORT;
    expect(service.ports).toEqual([`127.0.0.1:${port}:${port}`]);
    expect(service.healthcheck!.test.join(' ')).toContain(`http://127.0.0.1:${port}/health/ready`);
    expect(service.depends_on).toEqual({ migrate: { condition: 'service_completed_successfully' }, kafka: { condition: 'service_healthy' } });
    expect(dockerfile).toMatch(new RegExp(`^FROM app AS ${service.build!.target}$`, 'm'));
    // A crashed service comes back by itself; one stopped by the operator stays stopped.
    expect(service.restart).toBe('unless-stopped');
  });

  it('installs every workspace package in the image (their package.json files are copied before npm ci)', () => {
    const packages = readdirSync(new URL('../../', import.meta.url)).filter((name) => existsSync(new URL(`../../${name}/package.json`, import.meta.url)));
    expect(packages.length).toBeGreaterThan(5);
    for (const name of packages) expect(dockerfile).toContain(`COPY packages/${name}/package.json packages/${name}/`);
  });

  it('points the services at the postgres and kafka services it runs, Kafka in KRaft without ZooKeeper, the version the tests prove', () => {
    const api = env(compose.services['call-api']!);
    const kafka = env(compose.services.kafka!);
    const postgres = env(compose.services.postgres!);
    expect(new URL(api.DATABASE_URL!).host).toBe('postgres:5432');
    expect(new URL(api.DATABASE_URL!).username).toBe(postgres.POSTGRES_USER);
    expect(kafka.KAFKA_ADVERTISED_LISTENERS).toContain(api.KAFKA_BROKERS);
    expect(kafka.KAFKA_PROCESS_ROLES).toBe('broker,controller');
    expect(Object.keys(kafka).filter((k) => k.includes('ZOOKEEPER'))).toEqual([]);
    expect(compose.services.kafka!.image).toBe(`apache/kafka:${kafkaVersion}`);
    expect(env(compose.services['kafka-ui']!).KAFKA_CLUSTERS_0_BOOTSTRAPSERVERS).toBe(api.KAFKA_BROKERS);
    expect(compose.services['kafka-ui']!.ports).toEqual(['127.0.0.1:8081:8080']);
  });

  it.each([
    ['call-api', serviceEntries.callApi],
    ['queue-worker', serviceEntries.queueWorker],
  ])('%s runs compiled in the image, as the local stack and the tests run it', (target, entry) => {
    const stage = dockerfile.slice(dockerfile.indexOf(`FROM app AS ${target}`)).split(/^FROM /m)[1]!;
    expect(stage).toContain(`CMD ${JSON.stringify(['node', ...serviceNodeFlags, relative(repoRoot, entry)]).replaceAll(',', ', ')}`);
    // The image builds what it runs, from the sources it holds.
    expect(dockerfile).toMatch(/^COPY packages \.\/packages\nRUN node --import tsx packages\/local-stack\/src\/cli\/build\.ts$/m);
  });

  it('builds on Node 24', () => {
    expect(dockerfile.match(/^FROM node:(\S+)/gm)).toEqual(['FROM node:24-bookworm-slim', 'FROM node:24-bookworm-slim']);
  });
});
