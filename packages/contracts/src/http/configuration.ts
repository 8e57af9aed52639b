// Shapes the configuration API's agents, queues and ring groups share: names, skills, routes, pages.
import { z } from 'zod';
import { isStorableText, storableTextMessage } from '../fields.ts';

/** A display name: an agent's, a queue's, a ring group's. */
export const DisplayName = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .refine(isStorableText, storableTextMessage)
  .meta({ description: '1–200 characters once trimmed, with no NUL (U+0000) or unpaired surrogate' });

/** Each element once: a repeat is refused at its own index (`body.skills.3`), or at `key` of that element. */
export function uniqueElements<T>(key?: (element: T) => unknown, at?: string) {
  return (list: T[], ctx: z.RefinementCtx<T[]>) => {
    const seen = new Set<unknown>();
    list.forEach((element, i) => {
      const k = key ? key(element) : element;
      if (seen.has(k)) ctx.addIssue({ code: 'custom', message: 'is listed twice', path: at ? [i, at] : [i] });
      seen.add(k);
    });
  };
}

export const Skill = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[^\s]+$/, 'must not contain whitespace')
  .refine(isStorableText, storableTextMessage)
  .meta({ description: 'no whitespace, NUL (U+0000) or unpaired surrogate', examples: ['billing', 'spanish_support'] });
export const Skills = z.array(Skill).max(50).superRefine(uniqueElements());

/**
 * Where a queue overflows or a ring group fails over to: `hangup`, or a queue or ring group (by id) of the same routing
 * domain, never the destination itself.
 */
export const DestinationRoute = z
  .discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('hangup') }),
    z.strictObject({ kind: z.literal('queue'), id: z.uuid() }),
    z.strictObject({ kind: z.literal('ring_group'), id: z.uuid() }),
  ])
  .meta({ id: 'DestinationRoute' });
export type DestinationRoute = z.infer<typeof DestinationRoute>;

/** A list's cursor: opaque base64url text that only this API makes. */
export const PageCursor = z
  .string()
  .max(200)
  .regex(/^[A-Za-z0-9_-]*$/, 'is not a cursor this API gave')
  .describe('the `nextCursor` of the previous page, passed as given: opaque base64url text; any other text answers 400 on `querystring.cursor`');

/** `limit` and `cursor` of every list, `GET /calls` too. */
export const pageQueryFields = {
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: PageCursor.optional(),
};

/** A PATCH body must change something. */
export const notEmpty = (body: object) => Object.keys(body).length > 0;
export const notEmptyMessage = { message: 'must name at least one field to change' };
