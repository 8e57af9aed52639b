// A refused configuration change: thrown inside its transaction (so nothing it wrote commits), answered as problem+json.
import type { FieldError, Problem } from '@switchboard/contracts';
import { problemType } from '@switchboard/service';

export type RefusalStatus = 400 | 404 | 409 | 422;

export class Refusal extends Error {
  readonly problem: Omit<Problem, 'instance'>;

  constructor(status: RefusalStatus, slug: string, title: string, errors: FieldError[], detail?: string) {
    const text = detail ?? errors.map((e) => `${e.field} ${e.reason}`).join('; ');
    super(text);
    this.problem = { type: problemType(slug), title, status, detail: text, errors };
  }
}

const kindLabel = { agent: 'agent', queue: 'queue', ring_group: 'ring group' } as const;
export type ConfigKind = keyof typeof kindLabel;
export const labelOf = (kind: ConfigKind) => kindLabel[kind];

export const notFound = (kind: ConfigKind, id: string) =>
  new Refusal(404, 'not-found', 'Not found', [{ field: 'params.id', reason: `no ${labelOf(kind)} has this id` }], `no ${labelOf(kind)} ${id}`);

/** A change that clashes with what is stored (a number or extension in use, a destination still in use, …). */
export const conflict = (slug: string, title: string, errors: FieldError[]) => new Refusal(409, slug, title, errors);

/** A change whose references do not hold (an unknown agent, a member or route of another domain, …). */
export const unprocessable = (slug: string, title: string, errors: FieldError[]) => new Refusal(422, slug, title, errors);

/** A refusal as a value, for the routes: `{ ok: false, problem }` instead of the thrown Refusal. */
export async function attempt<T>(work: () => Promise<T>): Promise<{ ok: true; value: T } | { ok: false; problem: Refusal['problem'] }> {
  try {
    return { ok: true, value: await work() };
  } catch (error) {
    if (error instanceof Refusal) return { ok: false, problem: error.problem };
    throw error;
  }
}
