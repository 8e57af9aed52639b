// Default Kafka topic names; each service lets its environment rename them.
export const defaultTopics = {
  callRequests: 'call-requests',
  callRequestsDlq: 'call-requests.dlq',
  callEvents: 'call-events',
} as const;

export type Topics = { [K in keyof typeof defaultTopics]: string };

/** The dead-letter topic of a source topic, per DOMAIN.md (`*.dlq`). */
export const dlqTopicOf = (topic: string): string => `${topic}.dlq`;
