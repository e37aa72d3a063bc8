import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLogger } from '@vj/shared';
import { FfmpegTrack, sdpFor } from './ffmpeg-track.js';

describe('recorder ffmpeg', () => {
  it('describes the track to ffmpeg: codec, clock rate, channels, muxed RTCP', () => {
    const sdp = sdpFor('audio', 40_000, { codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 }], encodings: [{ ssrc: 1 }] });
    expect(sdp).toContain('m=audio 40000 RTP/AVP 100');
    expect(sdp).toContain('a=rtpmap:100 opus/48000/2');
    expect(sdp).toContain('a=rtcp-mux');
  });

  it('a missing ffmpeg is reported as a dead recorder, not an uncaught error that stops the server', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vj-ffmpeg-'));
    const logged: string[] = [];
    const track = new FfmpegTrack(
      dir,
      40_002,
      'v=0\n',
      createLogger('test', 'error', (l) => logged.push(l)),
    );
    const died = new Promise<void>((resolve) => track.events.on('died', () => resolve()));
    const path0 = process.env['PATH'];
    process.env['PATH'] = '/nonexistent';
    try {
      await track.start(0);
      await died;
    } finally {
      process.env['PATH'] = path0;
      fs.rmSync(dir, { recursive: true, force: true });
    }
    expect(track.pid).toBeUndefined();
    expect(logged.join('\n')).toContain('ENOENT');
  });
});
