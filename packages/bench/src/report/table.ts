// Renders the results as the Markdown table the terminal and the README show.
import { failed, type BenchResults, type WorkerPhases, type WorkerPhasesResults } from '../run.ts';
import type { ScalingRun } from '../routing/scaling.ts';
import { takeoverTargetMs } from '../routing/takeover.ts';
import { measuredProcesses, processNames, type CallCost } from '../cost/cost-per-call.ts';
import { describeStorage } from './storage.ts';

const int = (n: number) => Math.round(n).toLocaleString('en-US');
const ms = (n: number | null | undefined) => (n === null || n === undefined ? 'n/a' : `${n} ms`);
const pct = (n: number) => `${Math.round(n * 100)}%`;
const times = (n: number) => `${n.toFixed(2)}×`;
const perCall = (n: number | null) => (n === null ? 'n/a' : n.toFixed(3));

/** The split of a design's CPU per call, the processes it does not count (idle for it) and the load generator's. */
function costDetail(c: CallCost): string {
  const counted = c.counted.map((name) => `${processNames[name]} ${perCall(c.msPerCall[name])}`).join(', ');
  const idle = measuredProcesses.filter((name) => !c.counted.includes(name)).map((name) => `${processNames[name]} ${perCall(c.msPerCall[name])}`);
  return (
    `${counted} ms; WAL ${(c.walBytesPerCall / 1024).toFixed(2)} KiB/call; over ${int(c.calls)} calls ` +
    `(not counted: idle ${idle.join(', ')}; the load generator ${perCall(c.benchMsPerCall)})` +
    (c.incomplete ? '; INCOMPLETE: a server not started by the bench cannot be measured' : '')
  );
}

export function renderTable(r: BenchResults): string {
  const post = r.postCall.median;
  const proto = r.prototype.median;
  const check = r.prototype.check;
  const protoChecked = check.answeredStored === check.answered && check.messages >= check.answered;
  const rows: string[][] = [
    ['0. PostgreSQL storage', r.storage.actual, describeStorage(r.storage)],
    ['1. HTTP ceiling (no-op Fastify route, own process)', `${int(r.httpCeiling.median)} req/s`, ''],
    ['2. Database ceiling (single-row insert into calls, own commit)', `${int(r.dbCeiling.median)} rows/s`, ''],
    ['3. POST /call, best sustained', `${int(post.requestsPerSec)} req/s`, `p50 ${ms(post.p50Ms)}, p99 ${ms(post.p99Ms)}, errors ${post.errors}`],
    [
      "4. the prototype's design, same run (await INSERT, then await producer.send; Fastify, own process)",
      `${int(proto.requestsPerSec)} req/s`,
      `p50 ${ms(proto.p50Ms)}, p99 ${ms(proto.p99Ms)}, errors ${proto.errors}; ` +
        `201s ${int(check.answered)}, of them stored ${int(check.answeredStored)}, messages sent ${int(check.messages)}${protoChecked ? '' : ' MISMATCH'}`,
    ],
    ['   ratio 3 ÷ 1 (target ≥ 50%)', pct(r.ratios.postCallToHttp), ''],
    ['   ratio 3 ÷ 2 (target > 100%)', pct(r.ratios.postCallToDb), ''],
    ['   ratio 3 ÷ 4, POST /call ÷ prototype (target ≥ 3×)', times(r.ratios.postCallToPrototype), `by round: ${r.ratios.postCallToPrototypeByRound.map(times).join(', ')}`],
    ['5. CPU per accepted call, POST /call (target ≤ 0.25 ms)', `${perCall(r.cost.postCall.totalMsPerCall)} ms`, costDetail(r.cost.postCall)],
    ["   CPU per accepted call, the prototype's design", `${perCall(r.cost.prototype.totalMsPerCall)} ms`, costDetail(r.cost.prototype)],
  ];
  for (const f of r.fixedRates) {
    rows.push([`6. POST /call at ${int(f.rate)}/s`, `${int(f.sentPerSec)} sent/s`, `p50 ${ms(f.latency.p50Ms)}, p99 ${ms(f.latency.p99Ms)}, errors ${f.errors}`]);
  }
  for (const f of r.fixedRates) {
    const mark = f.rate === r.settings.e2eRate ? '7.' : '  ';
    rows.push([`${mark} end to end at ${int(f.rate)}/s (POST → call.queued)`, `${int(f.endToEnd.count)} calls`, `p50 ${ms(f.endToEnd.p50Ms)}, p99 ${ms(f.endToEnd.p99Ms)}`]);
    const hop = (p: { p50Ms: number; p99Ms: number }) => `${ms(p.p50Ms)} / ${ms(p.p99Ms)}`;
    rows.push([
      '      hops p50 / p99', '',
      `POST → stored ${hop(f.hops.toIntake)}; stored → worker ${hop(f.hops.toWorker)}; worker → bench reader ${hop(f.hops.toReader)}`,
    ]);
  }
  const a = r.afterLoad.accounting;
  const worstDrain = Math.max(...r.postCall.drainMs.map((d) => d ?? Infinity));
  rows.push(
    ['8. until every accepted call reached the worker', ms(Number.isFinite(worstDrain) ? worstDrain : null), 'after the full-speed phase (worst round)'],
    ['   202s (distinct ids) / of them queued', `${int(a.accepted)} (${int(a.distinctAccepted)}) / ${int(a.acceptedQueued)}`, a.ok ? 'nothing lost, nothing accepted twice' : 'MISMATCH'],
    ['   calls created / queued / call.queued events', `${int(a.created)} / ${int(a.queued)} / ${int(a.queuedEvents)}`, `${int(a.created - a.distinctAccepted)} cut off in flight at a phase's end (committed, answer not read)`],
    ['   peak RSS call-api / queue-worker', `${r.afterLoad.peakRssMiB.callApi ?? 'n/a'} / ${r.afterLoad.peakRssMiB.queueWorker ?? 'n/a'} MiB`, ''],
  );
  rows.push([
    '   before routing: every event owed from the 2,000/s phase published', ms(r.routing.publishedMs),
    'after the fixed-rate phases; routing is timed from then',
  ]);
  for (const p of r.routing.phases) {
    const target = p.rate === 1_000 ? ' (target p99 ≤ 50 ms)' : '';
    rows.push(
      [`9. routing at ${int(p.rate)}/s, free agents: POST → call.ringing${target}`, `p99 ${ms(p.toRinging.p99Ms)}`, `p50 ${ms(p.toRinging.p50Ms)}; ${int(p.toRinging.count)} calls, ${int(p.load.sentPerSec)} sent/s, POST p99 ${ms(p.load.latency.p99Ms)}, errors ${p.load.errors}`],
      [`   POST /calls/{id}/answer → 200 at ${int(p.rate)}/s${target}`, `p99 ${ms(p.answer.p99Ms)}`, `p50 ${ms(p.answer.p50Ms)}; ${int(p.answer.count)} answers; not 200: ${JSON.stringify(p.actionErrors)}; every call ended ${ms(p.drainMs)} after the last POST`],
    );
  }
  const ra = r.routing.accounting;
  rows.push([
    '   routed calls: 202s (distinct) / completed, answered once', `${int(ra.accepted)} (${int(ra.distinctAccepted)}) / ${int(ra.acceptedRoutedOnce)}`,
    `${ra.ok ? 'each rang, was answered once and completed' : 'MISMATCH'}: created ${int(ra.created)}, completed ${int(ra.completed)}, call.answered events ${int(ra.answeredEvents)}, answered twice ${ra.answeredTwice}; repeated call.ringing seen ${r.routing.repeatedRings}`,
  ]);
  rows.push(...workerPhaseRows(r, r.settings.smoke));
  const m = r.machine;
  const header = `${m.cores} cores (${m.cpuModel}), ${m.totalMemoryGiB} GiB, Node ${m.node}, ${m.postgres.split(' on ')[0]} (${r.storage.actual} storage), Kafka ${m.kafka}, ` +
    `${r.settings.connections} connections, ${r.settings.durationSec} s per phase, median of ${r.settings.rounds} round(s)${r.settings.warmUpSec ? ` after ${r.settings.warmUpSec} s of each design unmeasured (warm-up)` : ''}, ` +
    `load average (1/5/15 min) at start ${m.loadAverageAtStart.join(' / ')}, at end ${r.loadAverageAtEnd.join(' / ')}, ${m.date}`;
  return `${header}\n\n${markdown(rows)}`;
}

const markdown = (rows: string[][]) => ['| measure | result | detail |', '|---|---|---|', ...rows.map((cells) => `| ${cells.join(' | ')} |`)].join('\n');

/** `--only`: the machine, then rows 10 and 11 alone. */
export function renderWorkerPhasesTable(r: WorkerPhasesResults): string {
  const m = r.machine;
  const header = `${m.cores} cores (${m.cpuModel}), ${m.totalMemoryGiB} GiB, Node ${m.node}, ${m.postgres.split(' on ')[0]} (${r.storage.actual} storage), Kafka ${m.kafka}, ` +
    `load average (1/5/15 min) at start ${m.loadAverageAtStart.join(' / ')}, at end ${r.loadAverageAtEnd.join(' / ')}, ${m.date}`;
  return `${header}\n\n${markdown([['0. PostgreSQL storage', r.storage.actual, describeStorage(r.storage)], ...workerPhaseRows(r, r.settings.smoke)])}`;
}

const secs = (msValue: number) => `${(msValue / 1000).toFixed(2)} s`;

/** Row 10 (the takeover) and row 11 (3 workers and 3 domains against 1 and 1), when they ran. */
export function workerPhaseRows(r: WorkerPhases, smoke = false): string[][] {
  const rows: string[][] = [];
  const t = r.takeover;
  if (failed(t)) rows.push(['10. takeover after a SIGKILL of the owning worker', 'FAILED', t.error]);
  else if (t) {
    const target = takeoverTargetMs(t);
    const a = t.accounting;
    rows.push(
      [
        `10. takeover, ${int(t.agents)} agents and ${int(t.waitingCalls)} calls waiting: SIGKILL of the owning worker → an agent rings again, decided by the other (target ≤ session timeout ${t.sessionTimeoutMs / 1000} s + 2 s)`,
        secs(t.resumeMs), `${t.resumeMs <= target ? 'met' : 'not met'} (≤ ${secs(target)}); two workers in one consumer group, the clock from the SIGKILL to the call's \`ringing\` row`,
      ],
      ["    the survivor's claim and rebuild of the domain from PostgreSQL", ms(t.rebuildMs), 'its own log line'],
      [
        '    after the SIGKILL, the survivor: joined the rebalanced group / claimed the domain / had rebuilt it',
        [t.steps.joinedMs, t.steps.claimedMs, t.steps.rebuiltMs].map((x) => (x === null ? 'n/a' : secs(x))).join(' / '), 'its log lines\' times',
      ],
      ["    the survivor's memory: resident before → peak after", `${t.survivorRssBeforeMiB ?? 'n/a'} → ${t.survivorPeakRssMiB ?? 'n/a'} MiB`, ''],
      [
        '    waiting calls after the takeover: accepted / created / waiting + ringing', `${int(a.accepted)} / ${int(a.created)} / ${int(a.queued)} + ${int(a.ringing)}`,
        a.ok ? 'none lost, none created twice; one agent available, so one call rings' : `MISMATCH (other states: ${a.other})`,
      ],
    );
  }
  const s = r.scaling;
  if (failed(s)) rows.push(['11. routing throughput, 3 workers / 3 domains against 1 / 1', 'FAILED', s.error]);
  else if (s) {
    const run = (x: ScalingRun) => {
      const p = x.phase;
      const a = x.accounting;
      const saturated = smoke || x.routedPerSec < 0.9 * s.rate ? '' : ` NOT SATURATED: the offered ${int(s.rate)}/s was routed about as it came, raise --scaling-rate;`;
      return (
        `${int(p.load.accepted)} calls at ${int(s.rate)}/s for ${s.durationSec} s, all over ${secs(x.elapsedMs)} after the first POST;${saturated} ` +
        `POST → ringing p50 ${ms(p.toRinging.p50Ms)}, p99 ${ms(p.toRinging.p99Ms)}; answer p99 ${ms(p.answer.p99Ms)}; not 200: ${JSON.stringify(p.actionErrors)}; ` +
        `${x.owners.map((o) => `${o.domain} (partition ${o.partition}) → worker pid ${o.worker}`).join(', ')}${x.ownersDistinct ? '' : ' (NOT one worker per domain)'}; ` +
        `${a.ok ? 'each rang, was answered once and completed' : 'MISMATCH'} (${int(a.acceptedRoutedOnce)} of ${int(a.accepted)}, created ${int(a.created)}, answered twice ${a.answeredTwice}); load average after ${x.loadAverageAfter[0]}`
      );
    };
    const perQueue = Math.round(s.agents / 3);
    rows.push(
      [`11. routing throughput, 1 worker / 1 domain (1 queue of ${int(s.agents)} free agents)`, `${int(s.one.routedPerSec)} routed calls/s`, run(s.one)],
      [`    3 workers / 3 domains, one consumer group (3 queues of ${int(perQueue)} free agents)`, `${int(s.three.routedPerSec)} routed calls/s`, run(s.three)],
      [
        '    ratio 3 workers ÷ 1 worker', times(s.ratio),
        smoke
          ? 'smoke mode: a few calls prove the machinery and the accounting, no performance claim'
          : `on ${s.cores} cores shared by everything (the bench and its simulated agents, call-api, the workers, PostgreSQL, Kafka): more workers add no cores`,
      ],
    );
  }
  return rows;
}
