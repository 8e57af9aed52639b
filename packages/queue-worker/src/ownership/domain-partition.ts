// Which routing-inputs partition a routing domain's messages land on: the producer's own key hash, so both sides agree.
import { Partitioners } from 'kafkajs';

const partitioner = Partitioners.DefaultPartitioner();

/** Kafka's default partitioner (murmur2 of the key, as Java clients and the outbox relay's producer use). */
export function partitionOfDomain(topic: string, domain: string, partitionCount: number): number {
  const partitionMetadata = Array.from({ length: partitionCount }, (_, partitionId) => ({ partitionErrorCode: 0, partitionId, leader: 0, replicas: [0], isr: [0] }));
  return partitioner({ topic, partitionMetadata, message: { key: domain, value: null } });
}
