// The rule every consumer of `call-events` follows (the telephony edge, our bench and tests): Kafka delivers at least
// once, so an event can come again after newer ones of its call; keep the highest `sequence` seen per call and drop
// anything at or below it.

/** Per call, the highest `sequence` applied; `accept` says whether an event is new (and records it if so). */
export class LatestSequencePerCall {
  private readonly highest = new Map<string, number>();

  accept(event: { callId: string; sequence: number }): boolean {
    const seen = this.highest.get(event.callId) ?? 0;
    if (event.sequence <= seen) return false;
    this.highest.set(event.callId, event.sequence);
    return true;
  }

  /** Forget a call once its terminal event was applied (nothing after it matters). */
  forget(callId: string): void {
    this.highest.delete(callId);
  }
}
