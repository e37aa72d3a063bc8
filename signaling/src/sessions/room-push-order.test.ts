import { describe, expect, it } from 'vitest';
import type { Logger, RoomView } from '@vj/shared';
import { LocalPresence } from '../presence/local-presence.js';
import { CallService } from './call-service.js';

const ROOM = { code: 'xingsha', name: '星沙街道接访室', kind: 'township' };
const SESSION = '6f1c8d8e-1d2b-4c6e-9a0e-0f1e2d3c4b5a';
const silent: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined, child: () => silent };

/**
 * A call service with only what a room push touches: the real local presence, a session store whose seal check
 * the test holds back, and a notifier that records what the county's consoles were told.
 */
function harness() {
  const presence = new LocalPresence();
  const held: Array<() => void> = [];
  const toCounty: RoomView[] = [];
  const store = {
    sealedMatterTaken: () => new Promise<boolean>((resolve) => held.push(() => resolve(false))),
    usersIn: async () => [],
  };
  const notify = { toCounty: (_e: string, view: RoomView) => void toCounty.push(view), toRoomStaff: () => undefined, toUsers: () => undefined };
  const none = {};
  const calls = new CallService(
    store as never,
    none as never,
    presence,
    { on: () => undefined } as never,
    notify as never,
    none as never,
    none as never,
    silent,
    [ROOM],
    none as never,
    { bus: { onMessage: () => undefined } } as never,
  );
  return { calls, presence, held, toCounty };
}

const settle = () => new Promise((r) => setTimeout(r, 20));

describe("a room's pushes to the consoles", () => {
  it('leave in the order they were asked for, even when the first one’s seal check is slow', async () => {
    const { calls, presence, held, toCounty } = harness();
    await presence.kioskConnected(ROOM.code, 'socket-1', 'device-1');
    await presence.setSession(ROOM.code, {
      id: SESSION,
      state: 'active',
      kind: 'county_call',
      private: false,
      since: new Date().toISOString(),
      answeredBy: '陈干事',
    });
    const first = calls.broadcastRoom(ROOM.code);
    await settle();
    // The call ends while the first push still waits for its seal check: the second push has no call to check.
    await presence.setSession(ROOM.code, null);
    const second = calls.broadcastRoom(ROOM.code);
    await settle();
    expect(held).toHaveLength(1);
    held.shift()!();
    await Promise.all([first, second]);
    // Out of order, the last word the consoles heard would be a call that had already ended.
    expect(toCounty.map((v) => v.state)).toEqual(['in_session', 'online']);
  });

  it('go on after one fails, and the caller of the failed one hears of it', async () => {
    const { calls, presence, toCounty } = harness();
    const get = presence.get.bind(presence);
    let failOnce = true;
    presence.get = async (rooms) => {
      if (failOnce) {
        failOnce = false;
        throw new Error('presence unavailable');
      }
      return get(rooms);
    };
    await presence.kioskConnected(ROOM.code, 'socket-1', 'device-1');
    await expect(calls.broadcastRoom(ROOM.code)).rejects.toThrow('presence unavailable');
    await calls.broadcastRoom(ROOM.code);
    expect(toCounty.map((v) => v.state)).toEqual(['online']);
  });
});
