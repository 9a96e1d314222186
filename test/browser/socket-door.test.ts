/**
 * The socket door's refusals reach a page in Chromium. A browser fails a
 * WebSocket handshake whose 101 selects none of the subprotocols it offered
 * (the page sees 1006, as for a network drop, and reconnects), so the door
 * selects one the page offered before it closes with 4409 (API level outside
 * the range) or 4401 (bad token, or not in the room). Each case is a plain
 * `new WebSocket(url, protocols)` in a page of the app against a real
 * `wrangler dev`, the way the room client (shared/room-client.ts) opens the room's line.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { API_LEVEL, CLOSE, subprotocolFor, TOKEN_SUBPROTOCOL } from '../../shared/index.ts';
import { newContext, type Suite, startSuite } from './harness.ts';
import { open } from './learner.ts';

/** What the page's socket saw: whether it opened, the protocol the server selected, how it closed. */
interface SocketOutcome {
  opened: boolean;
  protocol: string;
  code: number;
}

/**
 * Opens a socket to the room `studyId` from `page` with `protocols`, and
 * resolves once it has closed: by the server, or by the page after the first
 * message when it got in.
 */
function connectFromPage(page: Page, studyId: string, protocols: string[]): Promise<SocketOutcome> {
  return page.evaluate(
    ({ path, protocols }) =>
      new Promise<SocketOutcome>((resolve) => {
        const ws = new WebSocket(new URL(path, location.href.replace(/^http/, 'ws')), protocols);
        let opened = false;
        ws.onopen = () => (opened = true);
        ws.onmessage = () => ws.close(1000, 'seen');
        ws.onclose = (event) => resolve({ opened, protocol: ws.protocol, code: event.code });
      }),
    { path: `/api/v2/studies/${encodeURIComponent(studyId)}/socket`, protocols },
  );
}

/** A guest token from the app, as the page gets one. */
async function signUp(url: string, nickname: string): Promise<string> {
  const res = await fetch(`${url}/api/v1/members`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ nickname }),
    signal: AbortSignal.timeout(10_000),
  });
  const body = await res.text();
  assert.equal(res.status, 201, `signed up: ${body}`);
  return (JSON.parse(body) as { token: string }).token;
}

/** Opens a live room hosted by `token`; resolves with its study id. */
async function openRoom(url: string, token: string): Promise<string> {
  const res = await fetch(`${url}/api/v2/studies`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
    body: JSON.stringify({ name: 'door', totalCycles: 1, minutesPerCycle: 25 }),
    signal: AbortSignal.timeout(10_000),
  });
  const body = await res.text();
  assert.equal(res.status, 201, `opened a room: ${body}`);
  return (JSON.parse(body) as { state: { studyId: string } }).state.studyId;
}

describe('the socket door in Chromium', () => {
  let suite: Suite | undefined;
  let page: Page;
  let studyId: string;
  let hostToken: string;
  let strangerToken: string;
  const level = subprotocolFor(API_LEVEL);
  // One handshake and one close: well under a second, 10 s even on a busy machine.
  const quick = { timeout: 10_000 };

  // Build, publish, migrate and start wrangler dev: about 20 s with both cores busy, as the other suites allow.
  before(
    async () => {
      suite = await startSuite();
      hostToken = await signUp(suite.app.url, 'host');
      strangerToken = await signUp(suite.app.url, 'stranger');
      studyId = await openRoom(suite.app.url, hostToken);
      page = await (await newContext(suite.browser)).newPage();
      await open(page, suite.app.url);
    },
    { timeout: 90_000 },
  );
  after(() => suite?.close());

  test('lets the host in, selecting the level it offered', quick, async () => {
    const outcome = await connectFromPage(page, studyId, [level, `${TOKEN_SUBPROTOCOL}${hostToken}`]);
    assert.deepEqual(outcome, { opened: true, protocol: level, code: 1000 });
  });

  for (const [what, offer] of [
    ['an API level too long to read', 'haru.99999'],
    ['an API level the worker no longer serves', 'haru.0'],
  ] as const) {
    test(`closes with 4409 for ${what}, not 1006`, quick, async () => {
      const outcome = await connectFromPage(page, studyId, [offer, `${TOKEN_SUBPROTOCOL}${hostToken}`]);
      assert.deepEqual(outcome, { opened: true, protocol: offer, code: CLOSE.versionMismatch });
    });
  }

  test('closes with 4409 when the page offers only its token', quick, async () => {
    const token = `${TOKEN_SUBPROTOCOL}${hostToken}`;
    const outcome = await connectFromPage(page, studyId, [token]);
    assert.deepEqual(outcome, { opened: true, protocol: token, code: CLOSE.versionMismatch });
  });

  for (const [what, token] of [
    ['a token with a 1-character signature', () => `${hostToken.split('.').slice(0, 2).join('.')}.A`],
    ['a garbage token', () => 'garbage'],
    ['the token of someone not in the room', () => strangerToken],
  ] as const) {
    test(`closes with 4401 for ${what}, not 1006`, quick, async () => {
      const outcome = await connectFromPage(page, studyId, [level, `${TOKEN_SUBPROTOCOL}${token()}`]);
      assert.deepEqual(outcome, { opened: true, protocol: level, code: CLOSE.unauthorized });
    });
  }
});
