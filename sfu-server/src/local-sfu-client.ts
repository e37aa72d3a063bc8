import type { SfuApi, SfuEvent, SfuEventPayload, SfuMethod, SfuParams, SfuResult } from '@vj/shared';
import type { SfuService } from './sfu-service.js';

/** SfuApi in the same process: the default single-process deployment and most tests. */
export class LocalSfuClient implements SfuApi {
  constructor(private readonly service: SfuService) {}

  request<M extends SfuMethod>(method: M, params: SfuParams<M>): Promise<SfuResult<M>> {
    return this.service.handle(method, params);
  }

  on<E extends SfuEvent>(event: E, listener: (payload: SfuEventPayload<E>) => void): () => void {
    return this.service.events.on(event, listener as never);
  }

  get workerCount(): number {
    return this.service.workerCount;
  }

  close(): Promise<void> {
    return this.service.close('shutdown');
  }
}
