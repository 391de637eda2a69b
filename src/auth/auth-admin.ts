/**
 * Administration of etcd's authentication as cold Observables: turning it on and off, users,
 * roles and the permissions roles grant on keys. Once authentication is on, every call here
 * needs a user with the `root` role.
 */
import { defer, map, Observable, of, catchError, throwError } from 'rxjs';
import { None, Option, Some } from 'ts-results';
import { describe } from '../describe-value';
import { EtcdInvalidArgumentError, EtcdNotFoundError } from '../errors';
import { encodeSelector, KeySelector } from '../kv/key-selector';
import { NON_REPEATABLE, REPEATABLE } from '../resilience/retry-policy';
import { UnaryCaller } from '../resilience/unary-caller';
import { asArray, asObject, asString } from '../transport/codec';
import { decodeHeader, ResponseHeader } from '../transport/response-header';
import { decodePermission, encodePermission, Permission, PermissionType } from './permission';

/** A user as etcd knows it. */
export interface User {
  readonly name: string;
  /** The roles granted to the user. */
  readonly roles: readonly string[];
}

/** A role and what it allows. */
export interface Role {
  readonly name: string;
  readonly permissions: readonly Permission[];
}

/** A user's password, or `{ noPassword: true }` for a user who logs in only by TLS client certificate. */
export type UserPassword = string | { readonly noPassword: true };

/**
 * Authentication administration: `etcd.auth`.
 * @example etcd.auth.addUser('app', 'secret').pipe(concatWith(etcd.auth.grantRole('app', 'app-rw'))).subscribe()
 */
export interface AuthAdmin {
  /**
   * Turns authentication on. The `root` user must exist and have the `root` role.
   * @example etcd.auth.addUser('root', pw).pipe(concatWith(etcd.auth.grantRole('root', 'root'), etcd.auth.enable()))
   */
  enable(): Observable<ResponseHeader>;
  /**
   * Turns authentication off (as root).
   * @example etcd.auth.disable().subscribe()
   */
  disable(): Observable<ResponseHeader>;
  /**
   * Adds a user with a password (or none: `{ noPassword: true }`).
   * @example etcd.auth.addUser('app', 'secret')
   */
  addUser(name: string, password: UserPassword): Observable<ResponseHeader>;
  /**
   * Deletes a user; EtcdNotFoundError when there is none of that name.
   * @example etcd.auth.deleteUser('app')
   */
  deleteUser(name: string): Observable<ResponseHeader>;
  /**
   * The names of every user, sorted.
   * @example etcd.auth.users().subscribe((names) => console.log(names.join(', ')))
   */
  users(): Observable<string[]>;
  /**
   * One user and its roles: `Some(User)`, or `None` when there is none of that name.
   * @example etcd.auth.user('app').subscribe((u) => console.log(u.some ? u.val.roles : 'no such user'))
   */
  user(name: string): Observable<Option<User>>;
  /**
   * Sets a user's password.
   * @example etcd.auth.changePassword('app', 'new secret')
   */
  changePassword(name: string, password: string): Observable<ResponseHeader>;
  /**
   * Grants a role to a user.
   * @example etcd.auth.grantRole('app', 'app-rw')
   */
  grantRole(user: string, role: string): Observable<ResponseHeader>;
  /**
   * Takes a role from a user.
   * @example etcd.auth.revokeRole('app', 'app-rw')
   */
  revokeRole(user: string, role: string): Observable<ResponseHeader>;
  /**
   * Adds a role (without permissions).
   * @example etcd.auth.addRole('app-rw')
   */
  addRole(name: string): Observable<ResponseHeader>;
  /**
   * Deletes a role; EtcdNotFoundError when there is none of that name.
   * @example etcd.auth.deleteRole('app-rw')
   */
  deleteRole(name: string): Observable<ResponseHeader>;
  /**
   * The names of every role, sorted.
   * @example etcd.auth.roles().subscribe((names) => console.log(names))
   */
  roles(): Observable<string[]>;
  /**
   * One role and its permissions: `Some(Role)`, or `None` when there is none of that name.
   * @example etcd.auth.role('app-rw').subscribe((r) => r.some && r.val.permissions.forEach((p) => console.log(p.type, p.keys)))
   */
  role(name: string): Observable<Option<Role>>;
  /**
   * Lets a role read, write or both on a key, a `{ prefix }`, a `{ from, to }` range or `{ from }` on.
   * @example etcd.auth.grantPermission('app-rw', 'readwrite', { prefix: 'app/' })
   */
  grantPermission(role: string, type: PermissionType, keys: KeySelector): Observable<ResponseHeader>;
  /**
   * Takes back the permission a role has on exactly these keys (as granted).
   * @example etcd.auth.revokePermission('app-rw', { prefix: 'app/' })
   */
  revokePermission(role: string, keys: KeySelector): Observable<ResponseHeader>;
}

/**
 * The AuthAdmin of a client, over its unary caller.
 * @example new AuthService(caller).users().subscribe(console.log)
 */
export class AuthService implements AuthAdmin {
  constructor(private readonly caller: UnaryCaller) {}

  enable(): Observable<ResponseHeader> {
    return this.change('enable', () => ({}));
  }

  disable(): Observable<ResponseHeader> {
    return this.change('disable', () => ({}));
  }

  addUser(name: string, password: UserPassword): Observable<ResponseHeader> {
    return this.change('user/add', () => {
      const user = { name: checkName(name, 'user name') };
      if (typeof password === 'object' && password !== null && password.noPassword === true) return { ...user, options: { no_password: true } };
      if (typeof password !== 'string') throw new EtcdInvalidArgumentError(`addUser needs a password or { noPassword: true }, got ${describe(password)}`);
      return { ...user, password: checkPassword(password) };
    });
  }

  deleteUser(name: string): Observable<ResponseHeader> {
    return this.change('user/delete', () => ({ name: checkName(name, 'user name') }));
  }

  users(): Observable<string[]> {
    return this.caller.call('/v3/auth/user/list', {}, REPEATABLE, (json) => names(asObject(json, 'user list').users, 'users'));
  }

  user(name: string): Observable<Option<User>> {
    return defer(() => {
      const body = { name: checkName(name, 'user name') };
      return this.found(this.caller.call('/v3/auth/user/get', body, REPEATABLE, (json) => ({ name, roles: names(asObject(json, 'user').roles, 'roles') })));
    });
  }

  changePassword(name: string, password: string): Observable<ResponseHeader> {
    return this.change('user/changepw', () => ({ name: checkName(name, 'user name'), password: checkPassword(password) }));
  }

  grantRole(user: string, role: string): Observable<ResponseHeader> {
    return this.change('user/grant', () => ({ user: checkName(user, 'user name'), role: checkName(role, 'role name') }));
  }

  revokeRole(user: string, role: string): Observable<ResponseHeader> {
    return this.change('user/revoke', () => ({ name: checkName(user, 'user name'), role: checkName(role, 'role name') }));
  }

  addRole(name: string): Observable<ResponseHeader> {
    return this.change('role/add', () => ({ name: checkName(name, 'role name') }));
  }

  deleteRole(name: string): Observable<ResponseHeader> {
    return this.change('role/delete', () => ({ role: checkName(name, 'role name') }));
  }

  roles(): Observable<string[]> {
    return this.caller.call('/v3/auth/role/list', {}, REPEATABLE, (json) => names(asObject(json, 'role list').roles, 'roles'));
  }

  role(name: string): Observable<Option<Role>> {
    return defer(() => {
      const body = { role: checkName(name, 'role name') };
      const decode = (json: unknown): Role => ({ name, permissions: asArray(asObject(json, 'role').perm, 'perm').map(decodePermission) });
      return this.found(this.caller.call('/v3/auth/role/get', body, REPEATABLE, decode));
    });
  }

  grantPermission(role: string, type: PermissionType, keys: KeySelector): Observable<ResponseHeader> {
    return this.change('role/grant', () => ({ name: checkName(role, 'role name'), perm: encodePermission(type, keys) }));
  }

  revokePermission(role: string, keys: KeySelector): Observable<ResponseHeader> {
    return this.change('role/revoke', () => ({ role: checkName(role, 'role name'), ...encodeSelector(keys) }));
  }

  /** A call that changes authentication, its body built (and checked) on subscribe. */
  private change(path: string, body: () => Record<string, unknown>): Observable<ResponseHeader> {
    return defer(() => this.caller.call(`/v3/auth/${path}`, body(), NON_REPEATABLE, (json) => decodeHeader(asObject(json, `${path} response`).header)));
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
