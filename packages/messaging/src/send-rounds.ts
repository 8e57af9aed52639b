// For a sender that sends what was handed over to it in rounds, oldest first: lets a caller wait until everything
// handed over before it has been tried, so a message sent by other means afterwards cannot overtake it.

export class SendRounds {
  private handed = 0;
  private waiting: { through: number; resolve: () => void }[] = [];

  /** `count` more messages were handed over (to the end of the sender's queue). */
  handOver(count: number): void {
    this.handed += count;
  }

  /**
   * A round ended; `outstanding` of the messages handed over are still to be tried (the newest ones: the sender's queue
   * keeps them in the order handed over, and a message put back goes back to its front).
   */
  roundEnded(outstanding: number): void {
    if (this.waiting.length === 0) return;
    const tried = this.handed - outstanding;
    const ready = this.waiting.filter((w) => w.through <= tried);
    if (ready.length === 0) return;
    this.waiting = this.waiting.filter((w) => w.through > tried);
    for (const w of ready) w.resolve();
  }

  /** The sender stopped (nothing left, or stopping): whoever waits goes on. */
  idle(): void {
    for (const w of this.waiting.splice(0)) w.resolve();
  }

  /** Resolves once every message handed over until now has been tried; at once when the sender is idle. */
  settled(running: boolean): Promise<void> {
    if (!running) return Promise.resolve();
    return new Promise((resolve) => this.waiting.push({ through: this.handed, resolve }));
  }
}
