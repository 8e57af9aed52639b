// Renders the results as the Markdown table the terminal and the README show.
import type { BenchResults } from '../run.ts';

const int = (n: number) => Math.round(n).toLocaleString('en-US');
const ms = (n: number | null | undefined) => (n === null || n === undefined ? 'n/a' : `${n} ms`);
const pct = (n: number) => `${Math.round(n * 100)}%`;

export function renderTable(r: BenchResults): string {
  const post = r.postCall.median;
  const rows: string[][] = [
    ['1. HTTP ceiling (no-op Fastify route, own process)', `${int(r.httpCeiling.median)} req/s`, ''],
    ['2. Database ceiling (single-row insert into calls, own commit)', `${int(r.dbCeiling.median)} rows/s`, ''],
    ['3. POST /call, best sustained', `${int(post.requestsPerSec)} req/s`, `p50 ${ms(post.p50Ms)}, p99 ${ms(post.p99Ms)}, errors ${post.errors}`],
    ['   ratio 3 ÷ 1 (target ≥ 50%)', pct(r.ratios.postCallToHttp), ''],
    ['   ratio 3 ÷ 2 (target > 100%)', pct(r.ratios.postCallToDb), ''],
  ];
  for (const f of r.fixedRates) {
    rows.push([`4. POST /call at ${int(f.rate)}/s`, `${int(f.sentPerSec)} sent/s`, `p50 ${ms(f.latency.p50Ms)}, p99 ${ms(f.latency.p99Ms)}, errors ${f.errors}`]);
  }
  for (const f of r.fixedRates) {
    const mark = f.rate === r.settings.e2eRate ? '5.' : '  ';
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
    ['6. until every accepted call reached the worker', ms(Number.isFinite(worstDrain) ? worstDrain : null), 'after the full-speed phase (worst round)'],
    ['   202s (distinct ids) / of them queued', `${int(a.accepted)} (${int(a.distinctAccepted)}) / ${int(a.acceptedQueued)}`, a.ok ? 'nothing lost, nothing accepted twice' : 'MISMATCH'],
    ['   calls created / queued / call.queued events', `${int(a.created)} / ${int(a.queued)} / ${int(a.queuedEvents)}`, `${int(a.created - a.distinctAccepted)} cut off in flight at a phase's end (committed, answer not read)`],
    ['   peak RSS call-api / queue-worker', `${r.afterLoad.peakRssMiB.callApi ?? 'n/a'} / ${r.afterLoad.peakRssMiB.queueWorker ?? 'n/a'} MiB`, ''],
  );
  const m = r.machine;
  const header = `${m.cores} cores (${m.cpuModel}), ${m.totalMemoryGiB} GiB, Node ${m.node}, ${m.postgres.split(' on ')[0]}, Kafka ${m.kafka}, ` +
    `${r.settings.connections} connections, ${r.settings.durationSec} s per phase, median of ${r.settings.rounds} round(s), ${m.date}`;
  const lines = ['| measure | result | detail |', '|---|---|---|', ...rows.map((cells) => `| ${cells.join(' | ')} |`)];
  return `${header}\n\n${lines.join('\n')}`;
}
