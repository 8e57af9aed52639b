// `npm run bench:wal [-- --calls n] [--rate n] [--mid-cycle]`: where each call's WAL goes, by table or index and by
// record type, on the bench's stack (durable PostgreSQL, Kafka, call-api and queue-worker as processes).
import { parseArgs } from 'node:util';
import { startBenchStack } from '../stack/bench-stack.ts';
import { profileWalPerCall, type WalShare } from '../profile/wal-per-call.ts';

const { values } = parseArgs({
  options: {
    calls: { type: 'string', default: '5000' },
    rate: { type: 'string', default: '500' },
    // Without a checkpoint right before the window: fewer pages carry their first-change image.
    'mid-cycle': { type: 'boolean', default: false },
  },
});
const say = (line: string) => console.log(`[wal] ${line}`);
const system = await startBenchStack({ say, durableStorage: true, routingAgents: 0 });
try {
  const profile = await profileWalPerCall(system, { calls: Number(values.calls), rate: Number(values.rate), afterCheckpoint: !values['mid-cycle'], say });
  const perCall = (bytes: number) => (bytes / profile.calls).toFixed(0);
  const table = (title: string, rows: WalShare[]) => {
    const shown = rows.slice(0, 16);
    return [
      `| ${title} | records per call | bytes per call | of which full-page images | share |`,
      '|---|---|---|---|---|',
      ...shown.map(
        (r) =>
          `| ${r.name} | ${(r.records / profile.calls).toFixed(2)} | ${perCall(r.recordBytes + r.fpiBytes)} | ${perCall(r.fpiBytes)} | ${(((r.recordBytes + r.fpiBytes) / profile.totalBytes) * 100).toFixed(1)} % |`,
      ),
    ].join('\n');
  };
  console.log(
    `\nWAL per call: ${perCall(profile.totalBytes)} bytes, of which full-page images ${perCall(profile.fpiBytes)} (${profile.calls} calls, ${profile.afterCheckpoint ? 'from a checkpoint' : 'mid checkpoint cycle'})\n`,
  );
  console.log(`${table('relation', profile.byRelation)}\n\n${table('record type', profile.byRecordType)}\n`);
} finally {
  await system.stop();
}
