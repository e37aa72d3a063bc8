export { defaultSfuConfig, MEDIA_CODECS, type SfuConfig } from './config.js';
export { RtcEnv, RtcSettingsError, sfuConfigFromEnv, type PipeSettings } from './rtc-settings.js';
export { LocalSfuClient } from './local-sfu-client.js';
export { SfuService } from './sfu-service.js';
export { RedisSfuClient } from './redis-sfu-client.js';
export { SfuNode } from './sfu-node.js';
export { SfuRegistry } from './cluster/sfu-registry.js';
