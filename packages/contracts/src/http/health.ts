// Health answers shared by both services.
import { z } from 'zod';

export const HealthCheck = z.object({ ok: z.boolean(), detail: z.string().optional() });
export const Health = z
  .object({ status: z.enum(['ok', 'unavailable']), checks: z.record(z.string(), HealthCheck) })
  .meta({ id: 'Health' });
export type Health = z.infer<typeof Health>;
