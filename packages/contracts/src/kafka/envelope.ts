// The envelope every Kafka message carries: id, type, version, occurredAt.
import { z } from 'zod';
import { Timestamp } from '../fields.ts';

export const envelopeFields = {
  id: z.uuid(),
  version: z.literal(1),
  occurredAt: Timestamp,
};
