export { defaultSfuConfig, MEDIA_CODECS, type SfuConfig } from './config.js';
export { LocalSfuClient } from './local-sfu-client.js';
export { SfuService } from './sfu-service.js';
