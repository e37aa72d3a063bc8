import { SessionMedia, type SignalChannel } from '@vj/client';

/**
 * One session this console takes part in. The media itself, and the way back after a drop, are the kiosk's
 * too (`SessionMedia` in @vj/client); only the console's camera and microphone are chosen here.
 */
export type JoinedSession = SessionMedia;

export function joinSessionMedia(channel: SignalChannel, sessionId: string, onChange: () => void): JoinedSession {
  return new SessionMedia(channel, sessionId, {
    openLocal: () => navigator.mediaDevices.getUserMedia({ video: { width: { ideal: 1280 }, height: { ideal: 720 } }, audio: true }),
    onChange,
  });
}
