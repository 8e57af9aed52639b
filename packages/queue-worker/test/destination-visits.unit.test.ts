// How a run of decisions' events becomes visit rows: opened with the call, answered, ended; an overflow ends one visit
// and opens the next; a visit opened by an earlier run is changed through an update of its open row.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { CallEvent } from '@switchboard/contracts';
import { DestinationVisits } from '../src/decide/destination-visits.ts';

const callId = randomUUID();
const queueId = randomUUID();
const groupId = randomUUID();
const agentId = randomUUID();
let sequence = 1;
const event = (type: CallEvent['type'], data: Record<string, unknown>) =>
  ({ id: randomUUID(), version: 1, occurredAt: new Date().toISOString(), callId, sequence: ++sequence, status: 'queued', type, data }) as CallEvent;

describe('destination visits', () => {
  it('a call that enters a queue, is answered and completes: one visit, opened and closed in the same run', () => {
    const visits = new DestinationVisits();
    visits.arrived(callId, { kind: 'queue', id: queueId }, 5, 100);
    visits.event(event('call.queued', { queueId }), 100, 5);
    visits.event(event('call.ringing', { agentIds: [agentId] }), 100, 5);
    // The answering agent's phone rang from 101.
    visits.event(event('call.answered', { agentId }), 103, 5, 101);
    visits.event(event('call.completed', { by: 'caller' }), 160, 5);
    expect(visits.toWrite()).toEqual({
      updated: [],
      opened: [
        {
          callId,
          destinationKind: 'queue',
          destinationId: queueId,
          priority: 5,
          enteredAt: 100,
          answeredAt: 103,
          agentId,
          rungAt: 101,
          endedAt: 160,
          outcome: 'completed',
        },
      ],
    });
  });

  it('an overflow ends the visit the call was at (opened in an earlier run) and opens one at where it goes', () => {
    const visits = new DestinationVisits();
    visits.event(event('call.no_answer', { agentIds: [agentId] }), 200, 0);
    visits.event(event('call.overflowed', { from: { kind: 'ring_group', id: groupId }, to: { kind: 'queue', id: queueId } }), 200, 0);
    visits.event(event('call.queued', { queueId }), 200, 0);
    expect(visits.toWrite()).toEqual({
      updated: [{ callId, answeredAt: null, agentId: null, rungAt: null, endedAt: 200, outcome: 'overflowed' }],
      opened: [
        {
          callId,
          destinationKind: 'queue',
          destinationId: queueId,
          priority: 0,
          enteredAt: 200,
          answeredAt: null,
          agentId: null,
          rungAt: null,
          endedAt: null,
          outcome: null,
        },
      ],
    });
  });

  it('an overflow to hang up ends the visit and opens none; a caller hanging up is abandoned', () => {
    const visits = new DestinationVisits();
    visits.event(event('call.overflowed', { from: { kind: 'queue', id: queueId }, to: { kind: 'hangup' } }), 300, 0);
    expect(visits.toWrite()).toEqual({ updated: [{ callId, answeredAt: null, agentId: null, rungAt: null, endedAt: 300, outcome: 'overflowed' }], opened: [] });
    const abandoned = new DestinationVisits();
    abandoned.event(event('call.abandoned', {}), 310, 0);
    expect(abandoned.toWrite().updated).toEqual([{ callId, answeredAt: null, agentId: null, rungAt: null, endedAt: 310, outcome: 'abandoned' }]);
  });
});
