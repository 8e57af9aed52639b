// Default Kafka topic names; each service lets its environment rename them.
export const defaultTopics = {
  /** Every input of the routing engine (new calls, answers, declines, hang-ups, presence, configuration changes), keyed by routing domain. */
  routingInputs: 'routing-inputs',
  routingInputsDlq: 'routing-inputs.dlq',
  callEvents: 'call-events',
} as const;

export type Topics = { [K in keyof typeof defaultTopics]: string };

/** The dead-letter topic of a source topic, per DOMAIN.md (`*.dlq`). */
export const dlqTopicOf = (topic: string): string => `${topic}.dlq`;
