/**
 * The auth token of a client: got from `/v3/auth/authenticate` on first use, sent by every call
 * and stream, and got again (once, for every caller at the same time) when the server refuses it
 * because it expired or the auth store changed. The password and the token are held where
 * neither an error, a log line nor `util.inspect` of the client can show them.
 */
import { catchError, defer, finalize, map, Observable, of, share, tap, throwError } from 'rxjs';
import { EtcdAuthenticationError, EtcdConnectionError, EtcdError, EtcdProtocolError, EtcdUnavailableError, GrpcCode } from '../errors';
import { asObject } from './codec';
import { postUnauthorized } from './http-call';
import { HttpEndpoint, TokenSource } from './http-endpoint';

/** A user name and password of etcd's authentication (`etcdctl --user name:password`). */
export interface AuthOptions {
  readonly username: string;
  readonly password: string;
}

/**
 * The token source of a client with credentials.
 * @example const session = new AuthSession({ username: 'app', password: secret }); session.token(endpoint)
 */
export class AuthSession implements TokenSource {
  /** The user this client authenticates as (the password stays out of reach). */
  readonly username: string;
  readonly #request: () => { readonly name: string; readonly password: string };
  #token: string | undefined;
  #generation = 0;
  #pending: Observable<string> | undefined;

  constructor(credentials: AuthOptions) {
    const { username, password } = credentials;
    this.username = username;
    this.#request = () => ({ name: username, password });
  }

  get generation(): number {
    return this.#generation;
  }

  token(endpoint: HttpEndpoint): Observable<string> {
    return defer(() => {
      if (this.#token !== undefined) return of(this.#token);
      this.#pending ??= this.authenticate(endpoint);
      return this.#pending;
    });
  }

  refused(generation: number): void {
    if (generation === this.#generation) this.#token = undefined;
  }

  private authenticate(endpoint: HttpEndpoint): Observable<string> {
    return postUnauthorized(endpoint, '/v3/auth/authenticate', this.#request()).pipe(
      map((json) => decodeToken(json, endpoint.url)),
      catchError((error: unknown) => {
        // As etcdctl does: a cluster without authentication is used without a token.
        if (error instanceof EtcdError && error.grpcCode === GrpcCode.FAILED_PRECONDITION && error.message.includes('authentication is not enabled')) {
          return of('');
        }
        return throwError(() => authenticationFailure(error, this.username, endpoint.url));
      }),
      tap((token) => {
        this.#token = token;
        this.#generation++;
      }),
      finalize(() => (this.#pending = undefined)),
      share(),
    );
  }
}

function decodeToken(json: unknown, endpoint: string): string {
  const token = asObject(json, 'authenticate response').token;
  if (typeof token !== 'string' || token === '') throw new EtcdProtocolError(`${endpoint} answered the authentication without a token`, { endpoint });
  return token;
}

/**
 * Why a call could not get a token. The call itself was never sent, which the error says (so
 * that a write may go to another member): a refused password is final, the rest is transient.
 */
function authenticationFailure(error: unknown, username: string, endpoint: string): unknown {
  if (error instanceof EtcdAuthenticationError) {
    return new EtcdAuthenticationError(`etcd refused the user name or password of user ${JSON.stringify(username)}: ${error.message}`, {
      endpoint,
      grpcCode: error.grpcCode,
    });
  }
  const prefix = `authenticating as ${JSON.stringify(username)}: `;
  if (error instanceof EtcdConnectionError) return new EtcdConnectionError(prefix + error.message, false, { endpoint, cause: error, errno: error.errno });
  if (error instanceof EtcdUnavailableError) return new EtcdUnavailableError(prefix + error.message, true, { endpoint, grpcCode: error.grpcCode });
  return error;
}
