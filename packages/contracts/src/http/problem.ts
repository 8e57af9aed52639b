// RFC 9457 problem details, the body of every error answer.
import { z } from 'zod';

export const FieldError = z
  .object({
    field: z.string().describe('where the problem is: `body.to`, `headers.content-type`, …'),
    reason: z.string(),
  })
  .meta({ id: 'FieldError' });
export type FieldError = z.infer<typeof FieldError>;

export const Problem = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.int(),
    detail: z.string(),
    instance: z.string().optional(),
    errors: z.array(FieldError).optional(),
  })
  .meta({ id: 'Problem' });
export type Problem = z.infer<typeof Problem>;

export const problemContentType = 'application/problem+json';
