export * from './channel.js';
export * from './rtc-peer.js';
export * from './speech.js';
export * from './socket.js';
export * from './http.js';
export * from './ui.js';
export * from './store.js';
