/**
 * The embedded engine's thread: PGlite (PostgreSQL in WASM) and its wire-protocol socket, off the main event
 * loop. A query that never finishes (the engine aborted on a failed write, and pglite-socket's queue stays
 * locked after an exception) then blocks only this thread: the server keeps answering, and the main thread can
 * terminate this one and open the data directory again (engine.ts). Messages: see EngineMessage.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

export interface EngineWorkerData {
  dataDir: string;
  socketPath: string;
}

export type EngineMessage =
  | { type: 'ready' }
  | { type: 'start-failed'; message: string; code: string | undefined }
  /** The engine threw while running a statement: its queue is locked from here on, so it must be replaced. */
  | { type: 'failed'; message: string; code: string | undefined }
  | { type: 'closed' };

const port = parentPort!;
const { dataDir, socketPath } = workerData as EngineWorkerData;
const post = (m: EngineMessage) => port.postMessage(m);
const codeOf = (err: unknown) => {
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
};

let pglite: PGlite;
let server: PGLiteSocketServer;
try {
  pglite = await PGlite.create({ dataDir });
  const raw = pglite.execProtocolRawStream.bind(pglite);
  // An SQL error comes back inside the protocol stream; an exception here means the engine itself broke.
  pglite.execProtocolRawStream = async (...args) => {
    try {
      return await raw(...args);
    } catch (err) {
      post({ type: 'failed', message: err instanceof Error ? err.message : String(err), code: codeOf(err) });
      throw err;
    }
  };
  server = new PGLiteSocketServer({ db: pglite, path: socketPath, maxConnections: 1 });
  await server.start();
  post({ type: 'ready' });
} catch (err) {
  post({ type: 'start-failed', message: err instanceof Error ? err.message : String(err), code: codeOf(err) });
  process.exit(1);
}

port.on('message', (m: { type: 'close' }) => {
  if (m.type !== 'close') return;
  void (async () => {
    // eslint-disable-next-line no-restricted-syntax -- the worker is exiting: a stop that fails changes nothing about that
    await server.stop().catch(() => {});
    // eslint-disable-next-line no-restricted-syntax -- the worker is exiting: a close that fails changes nothing about that
    await pglite.close().catch(() => {});
    post({ type: 'closed' });
  })();
});
