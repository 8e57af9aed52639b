// A client address that keeps failing authentication is refused with 429 before any key it sends is looked up, so a
// flood of made-up keys is not a flood of key lookups (database queries, in the services). The key store here is a
// counting function; the services' wiring of the same limit is tested in call-api's access.int.test.ts.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createServiceApp, type Principal, type ServiceApp } from '@switchboard/service';

const validKey = 'sbk_valid';
let lookups = 0;
let app: ServiceApp;

beforeAll(async () => {
  app = createServiceApp({
    access: {
      findPrincipal: async (key: string): Promise<Principal | undefined> => {
        lookups++;
        return key === validKey ? { keyId: 'k1', name: 'viewer', role: 'viewer', agentId: null } : undefined;
      },
      cacheMs: 60_000,
      ratePerSecond: 1_000,
      edgeRatePerSecond: 1_000,
      authFailuresPerSecond: 10,
    },
  });
  app.get('/things', { config: { access: ['viewer'] } }, async () => ({ ok: true }));
  await app.ready();
});
afterAll(() => app?.close());

const get = (remoteAddress: string, key?: string) =>
  app.inject({ method: 'GET', url: '/things', remoteAddress, headers: key ? { authorization: `Bearer ${key}` } : {} });

it('past the limit an address gets 429 with Retry-After and its keys are no longer looked up; a known valid key still passes', async () => {
  expect((await get('192.0.2.1', validKey)).statusCode).toBe(200);
  lookups = 0;
  const statuses: number[] = [];
  for (let i = 0; i < 100; i++) statuses.push((await get('192.0.2.1', `sbk_madeup${i}`)).statusCode);
  // 10 failures a second pass as 401 (the 11th within the second is refused), the rest are 429.
  expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(20);
  expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(80);
  expect(lookups, 'keys looked up while refusing').toBeLessThanOrEqual(21);

  const refused = await get('192.0.2.1');
  expect(refused.statusCode).toBe(429);
  expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
  expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(refused.json()).toMatchObject({ status: 429, detail: expect.stringMatching(/from this address without a valid key/) });

  // The valid key, found within the cache time, is not refused from that address; other addresses are not refused.
  expect((await get('192.0.2.1', validKey)).statusCode).toBe(200);
  expect((await get('192.0.2.2', 'sbk_other')).statusCode).toBe(401);
});

it('the refusal ends with its window', async () => {
  for (let i = 0; i < 20; i++) await get('192.0.2.3', `sbk_x${i}`);
  expect((await get('192.0.2.3', 'sbk_y')).statusCode).toBe(429);
  await new Promise((r) => setTimeout(r, 1_100));
  expect((await get('192.0.2.3', 'sbk_z')).statusCode).toBe(401);
});
