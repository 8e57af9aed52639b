// The wallboard in a real headless browser (Chromium from Debian's packages, driven by playwright-core) against the
// real services: the page takes a viewer key from its address's fragment, shows the queues' figures, and they move as
// calls come, are answered and hang up, without a reload, driven by GET /events alone (#refresh=0 turns off the page's
// periodic re-read). Saves a screenshot to .cache/wallboard.png; WALLBOARD_SCREENSHOT=docs/wallboard.png retakes the README's.
import { randomInt } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startSystem, type System } from './system.ts';

const chromiumPath = '/usr/bin/chromium';
const repoRoot = join(import.meta.dirname, '../../..');
const screenshot = join(repoRoot, process.env.WALLBOARD_SCREENSHOT ?? '.cache/wallboard.png');

let system: System;
let browser: BrowserContext;
let profile: string;
let page: Page;
let support: { id: string; number: string };
let billing: { id: string; number: string };
let agentIds: string[];
let viewerKey: string;

beforeAll(async () => {
  if (!existsSync(chromiumPath)) {
    throw new Error(`no browser at ${chromiumPath}: install Chromium from Debian's packages (apt-get install chromium)`);
  }
  system = await startSystem();
  agentIds = [];
  for (const name of ['Ana', 'Ben']) {
    const agent = await system.json('POST', '/agents', { name, extension: String(randomInt(1e7, 1e8)), languages: ['en'], domain: system.domain });
    expect(agent.status, JSON.stringify(agent.body)).toBe(201);
    agentIds.push(agent.body.id);
  }
  const queue = async (name: string, members: string[]) => {
    const number = String(randomInt(1e7, 1e8));
    const created = await system.json('POST', '/queues', {
      name,
      number,
      strategy: 'longest_idle',
      ringTimeoutSec: 60,
      domain: system.domain,
      members: members.map((agentId) => ({ agentId })),
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    return { id: created.body.id as string, number };
  };
  support = await queue('Support', [agentIds[0]!]);
  billing = await queue('Billing', [agentIds[1]!]);
  // Ana is on break: calls to Support wait. Ben is available for Billing.
  expect((await system.json('PUT', `/agents/${agentIds[0]}/status`, { status: 'break' })).status).toBe(200);
  expect((await system.json('PUT', `/agents/${agentIds[1]}/status`, { status: 'available' })).status).toBe(200);
  viewerKey = (await system.json('POST', '/keys', { name: 'wallboard e2e', role: 'viewer' })).body.key;

  profile = mkdtempSync(join(tmpdir(), 'wallboard-chromium-'));
  // A fresh profile (playwright passes it as --user-data-dir). Without the background-networking flags Chromium's
  // own connections (updates, sync) are refused on a closed network and get in the way.
  browser = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    viewport: { width: 1600, height: 440 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  page = await browser.newPage();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
  await system?.stop();
});

const post = async (number: string) => ((await (await system.post({ from: '+15550400', to: number, language: 'en' })).json()) as { id: string }).id;

/** The text of a figure on a queue's card. */
const figure = (queueId: string, name: string) => page.locator(`[data-queue-id="${queueId}"] [data-figure="${name}"]`).innerText();

async function until(queueId: string, name: string, expected: string, timeoutMs = 10_000) {
  await eventually(
    () => figure(queueId, name),
    (text) => text === expected,
    `${name} of ${queueId} to read ${expected}`,
    timeoutMs,
  );
}

describe('the wallboard', () => {
  it('shows each queue, and its figures move with the calls without a reload', { timeout: 120_000 }, async () => {
    await page.goto(`${system.api.url}/wallboard#key=${viewerKey}&queues=${support.id},${billing.id}&refresh=0`);
    await page.locator('[data-queue-id]').first().waitFor();
    expect(await page.locator('[data-queue-id] h2').allInnerTexts()).toEqual(['Billing', 'Support']);
    await until(support.id, 'waiting', '0');
    await eventually(
      () => page.locator('#connection').innerText(),
      (t) => t === 'live',
      'the stream to be live',
      10_000,
    );
    // A mark on the page that a reload would lose.
    await page.evaluate(() => ((globalThis as unknown as { mark: number }).mark = 42));

    // Two calls wait at Support (its agent is on break): the count goes up, the longest wait ticks.
    const first = await post(support.number);
    await until(support.id, 'waiting', '1');
    const second = await post(support.number);
    await until(support.id, 'waiting', '2');
    const wait1 = await figure(support.id, 'longest-wait');
    await new Promise((r) => setTimeout(r, 2_100));
    const wait2 = await figure(support.id, 'longest-wait');
    expect(wait2 > wait1, `${wait1} then ${wait2}`).toBe(true);

    // Billing: a call rings Ben, he answers; then Ana comes back and takes Support's first call.
    const billed = await post(billing.number);
    await eventually(
      () => system.getCall(billed),
      (c) => c.status === 'ringing',
      'the Billing call to ring',
      10_000,
    );
    expect((await system.json('POST', `/calls/${billed}/answer`, { agentId: agentIds[1] })).status).toBe(200);
    await until(billing.id, 'agents-on_call', '1');
    await until(billing.id, 'service-level', '100%');
    expect((await system.json('PUT', `/agents/${agentIds[0]}/status`, { status: 'available' })).status).toBe(200);
    await eventually(
      () => system.getCall(first),
      (c) => c.status === 'ringing',
      'the first call to ring Ana',
      10_000,
    );
    expect((await system.json('POST', `/calls/${first}/answer`, { agentId: agentIds[0] })).status).toBe(200);
    await until(support.id, 'waiting', '1');
    await until(support.id, 'agents-on_call', '1');
    await page.screenshot({ path: screenshot });

    // The caller still waiting hangs up: nobody waits.
    expect((await system.json('POST', `/calls/${second}/hangup`, { by: 'caller' })).status).toBe(200);
    await until(support.id, 'waiting', '0');
    expect(await figure(support.id, 'longest-wait')).toBe('0:00');
    expect(await page.evaluate(() => (globalThis as unknown as { mark?: number }).mark)).toBe(42);
  });

  it('asks for a key when the address carries none, and says when the key is refused', { timeout: 30_000 }, async () => {
    const fresh = await browser.newPage();
    await fresh.goto(`${system.api.url}/wallboard`);
    await fresh.locator('#key-form').waitFor();
    await fresh.fill('#key', 'sbk_not-a-key');
    await fresh.click('#key-form button');
    await eventually(
      () => fresh.locator('#problem').innerText(),
      (t) => /key/.test(t),
      'the refusal to show',
      10_000,
    );
    await fresh.fill('#key', viewerKey);
    await fresh.click('#key-form button');
    await fresh.locator('[data-queue-id]').first().waitFor();
    await fresh.close();
  });
});
