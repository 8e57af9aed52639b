// Rounds of a sender that takes everything handed over so far at the start of each round: lets a caller wait until
// whatever was handed over before it has been tried, so a message sent by other means afterwards cannot overtake it.

export class SendRounds {
  private begun = 0;
  private ended = 0;
  private waiting: { round: number; resolve: () => void }[] = [];

  /** A round takes what is pending now. */
  begin(): void {
    this.begun++;
  }

  end(): void {
    this.ended++;
    if (this.waiting.length === 0) return;
    const ready = this.waiting.filter((w) => w.round <= this.ended);
    this.waiting = this.waiting.filter((w) => w.round > this.ended);
    for (const w of ready) w.resolve();
  }

  /** The sender stopped (nothing pending, or stopping): whoever waits goes on. */
  idle(): void {
    this.ended = this.begun;
    for (const w of this.waiting.splice(0)) w.resolve();
  }

  /**
   * Resolves once the round running now has ended, and the next one too when something is pending (it goes there);
   * at once when the sender is idle.
   */
  settled(running: boolean, pending: boolean): Promise<void> {
    if (!running) return Promise.resolve();
    const round = this.begun + (pending ? 1 : 0);
    if (round <= this.ended) return Promise.resolve();
    return new Promise((resolve) => this.waiting.push({ round, resolve }));
  }
}
