// Asterisk app_queue's announced hold time, to compare Switchboard's estimate with: a moving average of past waits.
// app_queue.c (update_queue → recalc_holdtime): holdtime = (3 · holdtime + newholdtime) / 4 after each answered call;
// the announcement says holdtime minus the time the caller has already waited. Asterisk keeps whole seconds; this
// keeps fractions, which only makes it a little better.

export class AsteriskHoldTime {
  private holdtimeSec = 0;

  /** A call was answered (for the load test: an agent was reserved for it) after waiting `waitSec`. */
  recordAnswered(waitSec: number): void {
    this.holdtimeSec = (3 * this.holdtimeSec + waitSec) / 4;
  }

  /** What a caller who has waited `waitedSec` so far is told; at entry nothing has been waited. */
  estimate(waitedSec = 0): number {
    return Math.max(0, this.holdtimeSec - waitedSec);
  }
}
