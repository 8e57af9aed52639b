// What fails a run in rows 10 and 11: never a time target (CI machines are noisy), only what must hold on any machine.
import { failed, type WorkerPhases } from '../run.ts';

/** A phase that failed (routing never resumed), a waiting call lost, a routed call not answered once, or domains sharing a worker. */
export const workerPhaseProblems = (r: WorkerPhases): string[] => [
  ...(failed(r.takeover) ? [`takeover: ${r.takeover.error}`] : []),
  ...(r.takeover && !failed(r.takeover) && !r.takeover.accounting.ok
    ? [`takeover: the waiting calls do not add up: ${JSON.stringify(r.takeover.accounting)}`]
    : []),
  ...(failed(r.scaling) ? [`scaling: ${r.scaling.error}`] : []),
  ...(r.scaling && !failed(r.scaling)
    ? [r.scaling.one, r.scaling.three].flatMap((run) => [
        ...(run.accounting.ok
          ? []
          : [`scaling, ${run.workers} worker(s): not every accepted call was answered once and completed: ${JSON.stringify(run.accounting)}`]),
        ...(run.ownersDistinct ? [] : [`scaling, ${run.workers} workers: the domains were not on different workers: ${JSON.stringify(run.owners)}`]),
      ])
    : []),
];
