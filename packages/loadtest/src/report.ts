// The run's table: measured figures with their 95% ranges beside Erlang C, and the wait estimate's error beside Asterisk's.
import type { ErlangCFigures, Interval, LoadFigures, MeasureSettings } from './measure.ts';

export interface ReportContext extends MeasureSettings {
  readonly warmUpSec: number;
  readonly seed: number;
}

/**
 * The 95% range, cut to what the figure can be (a share within 0–1, a wait not below 0). When every batch gave the same
 * share (no call waited past the threshold, say), batch means have no spread to measure and give no range.
 */
const range = (interval: Interval, digits: number, share = false) => {
  if (!Number.isFinite(interval.halfWidth)) return 'too few calls';
  if (interval.halfWidth === 0) return 'none: every batch the same';
  const high = interval.value + interval.halfWidth;
  return `${Math.max(0, interval.value - interval.halfWidth).toFixed(digits)} – ${(share ? Math.min(1, high) : high).toFixed(digits)}`;
};
const within = (interval: Interval, formula: number | undefined) =>
  formula === undefined || !Number.isFinite(interval.halfWidth) || interval.halfWidth === 0
    ? 'n/a'
    : Math.abs(formula - interval.value) <= interval.halfWidth
      ? 'yes'
      : 'no';

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const render = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [render(header), `|${header.map((_, column) => (column === 0 ? '---' : '--:')).join('|')}|`, ...rows.map(render)].join('\n');
}

export function renderReport(figures: LoadFigures, context: ReportContext): string {
  const { calls, measuredLoad: load, erlangC } = figures;
  const askedLoad = context.arrivalRate * (context.meanTalkSec + context.answerDelaySec);
  const row = (name: string, interval: Interval, pick: (f: ErlangCFigures) => number, digits: number, share: boolean) => [
    name,
    interval.value.toFixed(digits),
    range(interval, digits, share),
    erlangC.measured ? pick(erlangC.measured).toFixed(digits) : 'unstable (ρ ≥ 1)',
    within(interval, erlangC.measured ? pick(erlangC.measured) : undefined),
    erlangC.nominal ? pick(erlangC.nominal).toFixed(digits) : 'unstable (ρ ≥ 1)',
  ];
  const lines = [
    'Load test against Erlang C (M/M/c) at the same load',
    `  wait: from call.queued to the call's first call.ringing (an agent is reserved), by the worker's clock; 0 when rung at once`,
    `  handle time: from that ring to call.completed (answer delay, talk and the system's latency: the agent is taken from the ring on)`,
    `  asked: ${context.agents} agents, λ = ${context.arrivalRate.toFixed(4)} calls/s (Poisson), talk exponential with mean ${context.meanTalkSec} s, ` +
      `answered after ${context.answerDelaySec} s: a = ${askedLoad.toFixed(2)} Erlangs, ρ = ${(askedLoad / context.agents).toFixed(3)}; ` +
      `${context.warmUpSec} s warm-up (not measured), ${context.durationSec} s measured; seed ${context.seed}`,
    `  measured: λ̂ = ${load.arrivalRate.toFixed(4)} calls/s (${calls.measured} calls in ${context.durationSec} s), mean handle time ĥ = ${load.meanHandleSec.toFixed(2)} s, ` +
      `a = ${load.offeredLoad.toFixed(2)} Erlangs, ρ = ${load.utilization.toFixed(3)}`,
    `  calls: ${calls.posted} posted, ${calls.ended} ended (${calls.completed} completed), ${calls.notEnded} not ended, ${calls.ringedAgain} rung more than once`,
    '',
    table(
      ['figure', 'measured', '95% range', 'Erlang C, load measured', 'Erlang C in range', 'Erlang C, load asked'],
      [
        row('P(wait > 0)', figures.probabilityOfWaiting, (f) => f.probabilityOfWaiting, 3, true),
        row('mean wait (s)', figures.meanWaitSec, (f) => f.meanWaitSec, 2, false),
        row(`service level (wait ≤ ${context.serviceLevelSec} s)`, figures.serviceLevel, (f) => f.serviceLevel, 3, true),
      ],
    ),
    `  longest wait ${figures.longestWaitSec.toFixed(1)} s. 95% ranges by batch means: the measured calls in order of arrival in ${context.batches} batches, ` +
      `t with ${context.batches - 1} degrees of freedom over the batch means; lag-1 correlation of the batch means ` +
      `${figures.probabilityOfWaiting.lag1Correlation.toFixed(2)} (P(wait)), ${figures.meanWaitSec.lag1Correlation.toFixed(2)} (wait): near 0 the batches are ` +
      `about independent, well above 0 the ranges are too narrow (a longer run or fewer batches).`,
    '',
    ...estimateLines(figures),
  ];
  return lines.join('\n');
}

function estimateLines({ estimates }: LoadFigures): string[] {
  const mae = (interval: Interval) => [interval.value.toFixed(2), range(interval, 2)];
  if (!estimates.system) {
    return [
      'Wait estimate: the system gave no estimate (no call.queued carried data.estimatedWaitSec), so there is nothing to compare;',
      `Asterisk's formula on the same calls would have been off by ${estimates.asterisk.value.toFixed(2)} s on average (95% range ${range(estimates.asterisk, 2)} s).`,
    ];
  }
  return [
    table(
      ['wait estimate at entry, against the wait until answered', 'mean absolute error (s)', '95% range', 'calls'],
      [
        ["Switchboard's (estimatedWaitSec of call.queued)", ...mae(estimates.system), String(estimates.callsWithSystemEstimate)],
        ["Asterisk's formula, same calls (holdtime ← (3·holdtime + wait) / 4)", ...mae(estimates.asterisk), String(estimates.callsWithSystemEstimate)],
        ["ratio, Switchboard's ÷ Asterisk's (target ≤ 0.5)", estimates.ratio!.toFixed(2), '', ''],
      ],
    ),
  ];
}
