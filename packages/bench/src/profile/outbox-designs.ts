// Two ways to owe Kafka messages in the transaction that makes them, measured on one PostgreSQL in the same run:
// - the outbox table the services use now: each message a row, inserted with the state, claimed and deleted by the
//   relay (`insertOutbox`, `claimOutboxRows`, the real statements);
// - logical decoding: each message written to the WAL alone by `pg_logical_emit_message(true, …)` (transactional: it
//   exists only if the transaction commits), read back in commit order from a logical replication slot (pgoutput with
//   `messages`), and the slot advanced past what was read.
// Each "call" is one transaction writing a business row and three messages, as `POST /call` and the worker do between
// them. Kafka is left out: both designs would send the same messages.
import { randomUUID } from 'node:crypto';
import type postgres from 'postgres';
import { claimOutboxRows, insertOutbox, type OutboxRow } from '@switchboard/db';
import { ProcessTable } from '../cost/process-cpu.ts';

export type DesignResult = { design: string; calls: number; wallSec: number; walBytesPerCall: number; postgresCpuMsPerCall: number; messagesRead: number };
export type DesignOptions = { calls: number; writers: number; postmasterPid: number; say: (line: string) => void };

// Shapes and sizes like the real messages: a call.requested, then two call events.
const payloads = (callId: string) => [
  {
    topic: 'routing-inputs',
    key: 'default',
    payload: {
      id: randomUUID(),
      type: 'call.requested',
      version: 1,
      domain: 'default',
      occurredAt: new Date().toISOString(),
      call: {
        id: callId,
        from: '+15550001',
        to: '100',
        language: 'en',
        type: 'queue',
        priority: 0,
        metadata: {},
        destination: { kind: 'queue', id: randomUUID(), name: 'Support', number: '100' },
        createdAt: new Date().toISOString(),
      },
    },
  },
  ...['call.received', 'call.queued'].map((type, i) => ({
    topic: 'call-events',
    key: callId,
    payload: {
      id: randomUUID(),
      type,
      version: 1,
      domain: 'default',
      occurredAt: new Date().toISOString(),
      callId,
      sequence: i + 1,
      status: i ? 'queued' : 'received',
      data: { queueId: randomUUID() },
    },
  })),
];

async function setUp(sql: postgres.Sql): Promise<void> {
  await sql`create table if not exists bench_business (id uuid primary key, body jsonb not null)`;
  await sql`do $$ begin if not exists (select 1 from pg_publication where pubname = 'bench_messages') then create publication bench_messages; end if; end $$`;
}

async function measure(
  sql: postgres.Sql,
  design: string,
  options: DesignOptions,
  /** Writes the call's messages in its transaction; what it returns runs once the transaction committed. */
  write: (tx: postgres.TransactionSql, callId: string) => Promise<(() => void) | void>,
  drain: (done: () => boolean) => Promise<number>,
): Promise<DesignResult> {
  const [{ lsn: start }] = await sql<[{ lsn: string }]>`select pg_current_wal_insert_lsn()::text as lsn`;
  const cpuBefore = (await ProcessTable.read()).treeSeconds(options.postmasterPid)!;
  const started = performance.now();
  let written = 0;
  const writers = Array.from({ length: options.writers }, async () => {
    while (written < options.calls) {
      written++;
      const callId = randomUUID();
      const committed = await sql.begin(async (tx) => {
        await tx`insert into bench_business (id, body) values (${callId}, ${JSON.stringify({ from: '+15550001', to: '100' })}::jsonb)`;
        return write(tx, callId);
      });
      committed?.();
    }
  });
  let writing = true;
  const writersDone = Promise.all(writers).then(() => (writing = false));
  const read = await drain(() => !writing);
  await writersDone;
  const wallSec = (performance.now() - started) / 1000;
  const cpuAfter = (await ProcessTable.read()).treeSeconds(options.postmasterPid)!;
  const [{ bytes }] = await sql<[{ bytes: number }]>`select (pg_current_wal_insert_lsn() - ${start}::pg_lsn)::float8 as bytes`;
  options.say(`${design}: ${options.calls} calls in ${wallSec.toFixed(1)} s, ${read} messages read`);
  return {
    design,
    calls: options.calls,
    wallSec,
    walBytesPerCall: bytes / options.calls,
    postgresCpuMsPerCall: ((cpuAfter - cpuBefore) * 1000) / options.calls,
    messagesRead: read,
  };
}

/** The outbox table as the services use it: rows in the transaction; a relay claims (and deletes) what was committed. */
async function outboxTable(sql: postgres.Sql, options: DesignOptions): Promise<DesignResult> {
  const pending: Pick<OutboxRow, 'id' | 'topic' | 'key'>[] = [];
  return measure(
    sql,
    'outbox table',
    options,
    async (tx, callId) => {
      const rows = await insertOutbox(tx, payloads(callId));
      // As the relay's fast path: told of the rows once the transaction committed.
      return () => void pending.push(...rows);
    },
    async (writersDone) => {
      let read = 0;
      for (;;) {
        const batch = pending.splice(0, 300);
        if (batch.length === 0) {
          if (writersDone() && read >= options.calls * 3) return read;
          await new Promise((r) => setTimeout(r, 2));
          continue;
        }
        await sql.begin(async (tx) => {
          const claim = await claimOutboxRows(tx, batch, 500, ['call-events']);
          read += claim.claimed.length;
          // Rows held back behind an older row of their key (none here: one relay) would be claimed again.
          for (const id of claim.blocked) pending.push(batch.find((r) => r.id === id)!);
        });
      }
    },
  );
}

/** pgoutput's Message ('M'), protocol 1, not streamed: flags, lsn, prefix, content. */
function messageContent(data: Buffer): string | null {
  if (data[0] !== 0x4d) return null;
  const prefixEnd = data.indexOf(0, 1 + 1 + 8);
  const length = data.readInt32BE(prefixEnd + 1);
  return data.subarray(prefixEnd + 5, prefixEnd + 5 + length).toString('utf8');
}

/** Logical decoding: messages written to the WAL in the transaction, read from a slot in commit order, the slot advanced. */
async function logicalMessages(sql: postgres.Sql, options: DesignOptions): Promise<DesignResult> {
  const slot = `bench_${randomUUID().slice(0, 8)}`;
  await sql`select pg_create_logical_replication_slot(${slot}, 'pgoutput')`;
  try {
    return await measure(
      sql,
      'logical decoding (pg_logical_emit_message)',
      options,
      async (tx, callId) => {
        const messages = payloads(callId).map((m) => JSON.stringify({ topic: m.topic, key: m.key, value: m.payload }));
        await tx`select pg_logical_emit_message(true, 'switchboard', m) from unnest(${messages}::text[]) with ordinality as u(m, n) order by n`;
      },
      async (writersDone) => {
        let read = 0;
        for (;;) {
          const changes = await sql<{ lsn: string; data: Buffer }[]>`
            select lsn::text, data from pg_logical_slot_peek_binary_changes(${slot}, null, 2000,
              'proto_version', '1', 'publication_names', 'bench_messages', 'messages', 'true')`;
          for (const change of changes) {
            const content = messageContent(change.data);
            if (content !== null) {
              JSON.parse(content); // as a relay would, to learn topic and key
              read++;
            }
          }
          if (changes.length > 0) await sql`select pg_replication_slot_advance(${slot}, ${changes.at(-1)!.lsn}::pg_lsn)`;
          else if (writersDone() && read >= options.calls * 3) return read;
          else await new Promise((r) => setTimeout(r, 2));
        }
      },
    );
  } finally {
    await sql`select pg_drop_replication_slot(${slot})`;
  }
}

/** Both designs, interleaved `rounds` times, on the same server. */
export async function compareOutboxDesigns(sql: postgres.Sql, options: DesignOptions & { rounds: number }): Promise<DesignResult[][]> {
  await setUp(sql);
  const rounds: DesignResult[][] = [];
  for (let i = 0; i < options.rounds; i++) {
    await sql`checkpoint`;
    const table = await outboxTable(sql, options);
    await sql`checkpoint`;
    const logical = await logicalMessages(sql, options);
    rounds.push([table, logical]);
  }
  return rounds;
}
