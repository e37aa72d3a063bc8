export * from './channel.js';
export * from './rtc-peer.js';
export * from './speech.js';
