import { EtcdConnectionError } from './etcd-errors';

/**
 * The server (or a proxy in front of it) answered the WebSocket upgrade with a plain HTTP
 * response: WebSockets cannot reach this endpoint, so streams must use plain HTTP.
 * @example new Etcd({ watchTransport: 'websocket' }).watch('k').subscribe({ error: (e) => e instanceof EtcdWebSocketRefusedError })
 */
export class EtcdWebSocketRefusedError extends EtcdConnectionError {
  constructor(
    endpoint: string,
    readonly httpStatus: number,
  ) {
    super(`${endpoint} refused the WebSocket upgrade (HTTP ${httpStatus})`, true, { endpoint });
  }
}
