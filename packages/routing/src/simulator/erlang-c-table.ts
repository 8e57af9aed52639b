// Runs the simulator at a range of loads and sets each result beside the Erlang C formula.
import { erlangC } from './erlang-c.ts';
import { simulateQueue, type SimulationResult } from './simulation.ts';

export interface LoadPoint {
  readonly utilization: number;
  readonly agents: number;
}

export interface ComparisonRow extends LoadPoint {
  readonly simulated: SimulationResult;
  readonly probabilityOfWaiting: number;
  readonly meanWaitSec: number;
  /** (simulated − formula) / formula. */
  readonly probabilityOfWaitingError: number;
  readonly meanWaitError: number;
}

/** Mean talk time of the simulated calls: three minutes, as in a typical contact center. */
export const meanTalkSec = 180;

export function compareWithErlangC(point: LoadPoint, calls: number, seed: number): ComparisonRow {
  const serviceRate = 1 / meanTalkSec;
  const arrivalRate = point.utilization * point.agents * serviceRate;
  const formula = erlangC(arrivalRate, serviceRate, point.agents);
  // Discard the start: the run begins empty, which is not the steady state the formula describes.
  const warmUpCalls = Math.max(2_000, Math.round(calls / 20));
  const simulated = simulateQueue({ agents: point.agents, arrivalRate, serviceRate, calls, warmUpCalls, seed });
  return {
    ...point,
    simulated,
    probabilityOfWaiting: formula.probabilityOfWaiting,
    meanWaitSec: formula.meanWaitSec,
    probabilityOfWaitingError: simulated.probabilityOfWaiting / formula.probabilityOfWaiting - 1,
    meanWaitError: simulated.meanWaitSec / formula.meanWaitSec - 1,
  };
}

const percent = (value: number) => `${value >= 0 ? '+' : ''}${(value * 100).toFixed(1)}%`;

export function formatTable(rows: readonly ComparisonRow[]): string {
  const header = ['ρ', 'c', 'calls', 'P(wait) sim', '±95%', 'Erlang C', 'error', 'Wq sim (s)', '±95%', 'Wq formula (s)', 'error'];
  const lines = rows.map((row) => [
    row.utilization.toFixed(2),
    String(row.agents),
    String(row.simulated.calls),
    row.simulated.probabilityOfWaiting.toFixed(4),
    row.simulated.probabilityOfWaitingHalfWidth.toFixed(4),
    row.probabilityOfWaiting.toFixed(4),
    percent(row.probabilityOfWaitingError),
    row.simulated.meanWaitSec.toFixed(2),
    row.simulated.meanWaitHalfWidth.toFixed(2),
    row.meanWaitSec.toFixed(2),
    percent(row.meanWaitError),
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...lines.map((line) => line[column]!.length)));
  const render = (cells: readonly string[]) => `| ${cells.map((cell, column) => cell.padStart(widths[column]!)).join(' | ')} |`;
  return [render(header), `|${widths.map((width) => '-'.repeat(width + 1) + ':').join('|')}|`, ...lines.map(render)].join('\n');
}
