import { NoAnswerError } from '@vj/shared';

/**
 * A request to another node that got no answer in time: the RPC's own error, whoever the nodes are. A caller
 * whose clients expect a more particular error (the SFU client's SfuTimeoutError) turns it into that one.
 */
export class RpcTimeoutError extends NoAnswerError {
  constructor(method: string, nodeId: string, timeoutMs: number) {
    super('NODE_TIMEOUT', method, nodeId, timeoutMs);
    this.name = 'RpcTimeoutError';
  }
}
