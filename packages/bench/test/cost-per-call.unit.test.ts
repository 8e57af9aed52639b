// The cost per call's arithmetic, and the /proc reading it rests on: a child's CPU still counts once it has exited.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { costPerCall, type PerProcess, type PhaseCpu } from '../src/cost/cost-per-call.ts';
import { ProcessTable } from '../src/cost/process-cpu.ts';

const phase = (cpuSec: Partial<PerProcess<number | null>>, benchSec = 0, walBytes = 0): PhaseCpu => ({
  wallSec: 10,
  cpuSec: { callApi: 0, queueWorker: 0, prototype: 0, postgres: 0, kafka: 0, ...cpuSec },
  benchSec,
  walBytes,
});

describe('costPerCall', () => {
  it('divides the sums over all phases by all their calls, counting only the design’s processes', () => {
    const cost = costPerCall(
      [
        { calls: 1_000, cpu: phase({ callApi: 0.2, postgres: 0.3, prototype: 0.05 }, 0.1, 1_024_000) },
        { calls: 3_000, cpu: phase({ callApi: 0.6, postgres: 0.5, prototype: 0.05 }, 0.3, 3_072_000) },
      ],
      ['callApi', 'postgres'],
    );
    expect(cost.calls).toBe(4_000);
    expect(cost.msPerCall.callApi).toBeCloseTo(0.2);
    expect(cost.msPerCall.postgres).toBeCloseTo(0.2);
    expect(cost.msPerCall.prototype).toBeCloseTo(0.025);
    expect(cost.totalMsPerCall).toBeCloseTo(0.4);
    expect(cost.benchMsPerCall).toBeCloseTo(0.1);
    expect(cost.walBytesPerCall).toBeCloseTo(1_024);
    expect(cost.incomplete).toBe(false);
  });

  it('says the total is short when a counted process could not be measured', () => {
    const cost = costPerCall([{ calls: 10, cpu: phase({ kafka: null }) }], ['callApi', 'kafka']);
    expect(cost.msPerCall.kafka).toBeNull();
    expect(cost.incomplete).toBe(true);
  });
});

describe('ProcessTable', () => {
  it("counts a child's CPU in its parent's tree once it has exited and been reaped", async () => {
    const before = await ProcessTable.read();
    const child = spawn(process.execPath, ['-e', 'const end = Date.now() + 300; while (Date.now() < end);']);
    await once(child, 'exit');
    const after = await ProcessTable.read();
    const tree = after.treeSeconds(process.pid)! - before.treeSeconds(process.pid)!;
    const own = after.ownSeconds(process.pid)! - before.ownSeconds(process.pid)!;
    // The child spun for 0.3 s of wall time; on a busy machine it got less CPU than that, but some.
    expect(tree - own).toBeGreaterThan(0.05);
    expect(after.treeSeconds(2 ** 30)).toBeNull();
  });
});
