// Waiting until what was handed over before has been tried, however many rounds the sender needs for it.
import { describe, expect, it } from 'vitest';
import { SendRounds } from '../src/send-rounds.ts';

const isSettled = async (p: Promise<void>) => Promise.race([p.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 10))]);

describe('SendRounds', () => {
  it('resolves at once when the sender is idle', async () => {
    expect(await isSettled(new SendRounds().settled(false))).toBe(true);
  });

  it('resolves once every message handed over before the call was tried, across rounds and put-back messages', async () => {
    const rounds = new SendRounds();
    rounds.handOver(2_500);
    const early = rounds.settled(true);
    rounds.handOver(100); // after the call: not waited for
    rounds.roundEnded(1_600); // 1,000 tried
    expect(await isSettled(early)).toBe(false);
    rounds.roundEnded(900); // 200 of a claim put back to the front: 1,700 tried in all
    expect(await isSettled(early)).toBe(false);
    rounds.roundEnded(100); // 2,500 tried: the 100 handed over later are still to go
    expect(await isSettled(early)).toBe(true);
    const late = rounds.settled(true);
    rounds.roundEnded(50);
    expect(await isSettled(late)).toBe(false);
    rounds.idle();
    expect(await isSettled(late)).toBe(true);
  });
});
