// Asterisk app_queue's announced hold time, kept over a run's calls to compare Switchboard's estimate with: the formula
// is the routing package's (`asteriskHoldtime`, `asteriskEstimatedWaitSec`); this holds its running value.
import { asteriskEstimatedWaitSec, asteriskHoldtime } from '@switchboard/routing';

export class AsteriskHoldTime {
  private holdtimeSec = 0;

  /** A call was answered (for the load test: an agent was reserved for it) after waiting `waitSec`. */
  recordAnswered(waitSec: number): void {
    this.holdtimeSec = asteriskHoldtime(this.holdtimeSec, waitSec);
  }

  /** What a caller who has waited `waitedSec` so far is told; at entry nothing has been waited. */
  estimate(waitedSec = 0): number {
    return asteriskEstimatedWaitSec(this.holdtimeSec, waitedSec);
  }
}
