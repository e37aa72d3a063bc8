import type { IceServer } from '@vj/shared';
import type { TurnConfig } from '../config.js';
import { randomSecret, turnRestPassword } from '../security/crypto.js';

/**
 * Fresh TURN credentials for one transport (the TURN REST API convention coturn implements with
 * use-auth-secret): username "<expiry unix seconds>:<random id>", password base64(HMAC-SHA1(secret, username)).
 * The id is random for every transport, so the TURN server's log names nobody and links no two transports; the
 * credential opens the relay until its expiry, after which coturn refuses new allocations with it (a relay already
 * allocated keeps running while the client refreshes it).
 */
export function turnIceServers(turn: TurnConfig, nowMs = Date.now()): IceServer[] {
  const username = `${Math.floor(nowMs / 1000) + turn.credentialTtlS}:${randomSecret(16)}`;
  return [{ urls: turn.urls, username, credential: turnRestPassword(turn.secret, username) }];
}
