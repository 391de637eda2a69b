/**
 * Administration of etcd's authentication as cold Observables: turning it on and off, users,
 * roles and the permissions roles grant on keys. Once authentication is on, every call here
 * needs a user with the `root` role.
 */
import { defer, map, Observable, of, catchError, throwError } from 'rxjs';
import { None, Option, Some } from 'ts-results';
import { CallOptions } from '../call-options';
import { describe } from '../describe-value';
import { EtcdInvalidArgumentError, EtcdNotFoundError } from '../errors';
import { encodeSelector, KeySelector } from '../kv/key-selector';
import { NON_REPEATABLE, REPEATABLE } from '../resilience/retry-policy';
import { UnaryCaller } from '../resilience/unary-caller';
import { asArray, asObject, asString } from '../transport/codec';
import { decodeHeader, ResponseHeader } from '../transport/response-header';
import { decodePermission, encodePermission, PermissionType } from './permission';
import { AuthAdmin, Role, User, UserPassword } from './types';

/**
 * The AuthAdmin of a client, over its unary caller.
 * @example new AuthService(caller).users().subscribe(console.log)
 */
export class AuthService implements AuthAdmin {
  constructor(private readonly caller: UnaryCaller) {}

  enable(options?: CallOptions): Observable<ResponseHeader> {
    return this.change('enable', () => ({}), options);
  }

  disable(options?: CallOptions): Observable<ResponseHeader> {
    return this.change('disable', () => ({}), options);
  }

  addUser(name: string, password: UserPassword, options?: CallOptions): Observable<ResponseHeader> {
    return this.change(
      'user/add',
      () => {
        const user = { name: checkName(name, 'user name') };
        if (typeof password === 'object' && password !== null && password.noPassword === true) return { ...user, options: { no_password: true } };
        if (typeof password !== 'string') throw new EtcdInvalidArgumentError(`addUser needs a password or { noPassword: true }, got ${describe(password)}`);
        return { ...user, password: checkPassword(password) };
      },
      options,
    );
  }

  deleteUser(name: string, options?: CallOptions): Observable<ResponseHeader> {
    return this.change('user/delete', () => ({ name: checkName(name, 'user name') }), options);
  }

  users(options?: CallOptions): Observable<string[]> {
    return this.caller.call('/v3/auth/user/list', {}, REPEATABLE, (json) => names(asObject(json, 'user list').users, 'users'), options);
  }

  user(name: string, options?: CallOptions): Observable<Option<User>> {
    return defer(() => {
      const body = { name: checkName(name, 'user name') };
      return this.found(
        this.caller.call('/v3/auth/user/get', body, REPEATABLE, (json) => ({ name, roles: names(asObject(json, 'user').roles, 'roles') }), options),
      );
    });
  }

  changePassword(name: string, password: string, options?: CallOptions): Observable<ResponseHeader> {
    return this.change('user/changepw', () => ({ name: checkName(name, 'user name'), password: checkPassword(password) }), options);
  }

  grantRole(user: string, role: string, options?: CallOptions): Observable<ResponseHeader> {
    return this.change('user/grant', () => ({ user: checkName(user, 'user name'), role: checkName(role, 'role name') }), options);
  }

  revokeRole(user: string, role: string, options?: CallOptions): Observable<ResponseHeader> {
    return this.change('user/revoke', () => ({ name: checkName(user, 'user name'), role: checkName(role, 'role name') }), options);
  }

  addRole(name: string, options?: CallOptions): Observable<ResponseHeader> {
    return this.change('role/add', () => ({ name: checkName(name, 'role name') }), options);
  }

  deleteRole(name: string, options?: CallOptions): Observable<ResponseHeader> {
    return this.change('role/delete', () => ({ role: checkName(name, 'role name') }), options);
  }

  roles(options?: CallOptions): Observable<string[]> {
    return this.caller.call('/v3/auth/role/list', {}, REPEATABLE, (json) => names(asObject(json, 'role list').roles, 'roles'), options);
  }

  role(name: string, options?: CallOptions): Observable<Option<Role>> {
    return defer(() => {
      const body = { role: checkName(name, 'role name') };
      const decode = (json: unknown): Role => ({ name, permissions: asArray(asObject(json, 'role').perm, 'perm').map(decodePermission) });
      return this.found(this.caller.call('/v3/auth/role/get', body, REPEATABLE, decode, options));
    });
  }

  grantPermission(role: string, type: PermissionType, keys: KeySelector, options?: CallOptions): Observable<ResponseHeader> {
    return this.change('role/grant', () => ({ name: checkName(role, 'role name'), perm: encodePermission(type, keys) }), options);
  }

  revokePermission(role: string, keys: KeySelector, options?: CallOptions): Observable<ResponseHeader> {
    return this.change('role/revoke', () => ({ role: checkName(role, 'role name'), ...encodeSelector(keys) }), options);
  }

  /** A call that changes authentication, its body built (and checked) on subscribe. */
  private change(path: string, body: () => Record<string, unknown>, options: CallOptions | undefined): Observable<ResponseHeader> {
    const decode = (json: unknown) => decodeHeader(asObject(json, `${path} response`).header);
    return defer(() => this.caller.call(`/v3/auth/${path}`, body(), NON_REPEATABLE, decode, options));
  }

  /** `Some` of what was read, `None` when the server says the user or role does not exist. */
  private found<T>(read: Observable<T>): Observable<Option<T>> {
    return read.pipe(
      map((value): Option<T> => Some(value)),
      catchError((error: unknown) => (error instanceof EtcdNotFoundError ? of(None) : throwError(() => error))),
    );
  }
}

function checkName(name: unknown, what: string): string {
  if (typeof name !== 'string' || name.length === 0) throw new EtcdInvalidArgumentError(`${what} must be a non-empty string, got ${describe(name)}`);
  return name;
}

function checkPassword(password: unknown): string {
  // The password itself never goes into a message.
  if (typeof password !== 'string' || password.length === 0) {
    throw new EtcdInvalidArgumentError(`password must be a non-empty string, got ${typeof password === 'string' ? 'an empty string' : typeof password}`);
  }
  return password;
}

function names(field: unknown, what: string): string[] {
  return asArray(field, what).map((n) => asString(n, what));
}
