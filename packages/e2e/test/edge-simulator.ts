// A simulated telephony edge and its agents: reads call-events as the edge contract says (keep the highest sequence per
// call, ignore older or repeated events) and acts on each ring and answer through the HTTP API.
import { randomUUID } from 'node:crypto';
import type { System } from './system.ts';

export type EdgeReactions = {
  onRing: (callId: string, agentId: string) => Promise<void>;
  onAnswered: (callId: string, agentId: string) => Promise<void>;
};

export async function followCallEvents(system: System, reactions: EdgeReactions) {
  const consumer = system.kafka.consumer({ groupId: `edge-${randomUUID()}`, maxWaitTimeInMs: 50 });
  const highest = new Map<string, number>();
  const pending = new Set<Promise<void>>();
  const track = (work: Promise<void>) => {
    const tracked = work.catch(() => {}).finally(() => pending.delete(tracked));
    pending.add(tracked);
  };
  const joined = new Promise((resolve) => consumer.on(consumer.events.GROUP_JOIN, resolve));
  await consumer.connect();
  // The system's own topic: from the beginning is only this system's calls.
  await consumer.subscribe({ topic: system.topics.callEvents, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const event = JSON.parse(message.value!.toString()) as { callId: string; sequence: number; type: string; data: { agentIds?: string[]; agentId?: string } };
      if ((highest.get(event.callId) ?? 0) >= event.sequence) return; // a duplicate or an older event: the contract says ignore it
      highest.set(event.callId, event.sequence);
      if (event.type === 'call.ringing') for (const agentId of event.data.agentIds!) track(reactions.onRing(event.callId, agentId));
      if (event.type === 'call.answered') track(reactions.onAnswered(event.callId, event.data.agentId!));
    },
  });
  await joined;
  return {
    async stop() {
      await Promise.all(pending);
      await consumer.disconnect();
    },
  };
}
