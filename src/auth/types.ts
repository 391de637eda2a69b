/** The public types of authentication administration: users, roles and the `etcd.auth` interface. */
import { CallOptions } from '../call-options';
import { Observable } from 'rxjs';
import { Option } from 'ts-results';
import { KeySelector } from '../kv/key-selector';
import { ResponseHeader } from '../transport/response-header';
import { Permission, PermissionType } from './permission';

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
  enable(options?: CallOptions): Observable<ResponseHeader>;
  /**
   * Turns authentication off (as root).
   * @example etcd.auth.disable().subscribe()
   */
  disable(options?: CallOptions): Observable<ResponseHeader>;
  /**
   * Adds a user with a password (or none: `{ noPassword: true }`).
   * @example etcd.auth.addUser('app', 'secret')
   */
  addUser(name: string, password: UserPassword, options?: CallOptions): Observable<ResponseHeader>;
  /**
   * Deletes a user; EtcdNotFoundError when there is none of that name.
   * @example etcd.auth.deleteUser('app')
   */
  deleteUser(name: string, options?: CallOptions): Observable<ResponseHeader>;
  /**
   * The names of every user, sorted.
   * @example etcd.auth.users().subscribe((names) => console.log(names.join(', ')))
   */
  users(options?: CallOptions): Observable<string[]>;
  /**
   * One user and its roles: `Some(User)`, or `None` when there is none of that name.
   * @example etcd.auth.user('app').subscribe((u) => console.log(u.some ? u.val.roles : 'no such user'))
   */
  user(name: string, options?: CallOptions): Observable<Option<User>>;
  /**
   * Sets a user's password.
   * @example etcd.auth.changePassword('app', 'new secret')
   */
  changePassword(name: string, password: string, options?: CallOptions): Observable<ResponseHeader>;
  /**
   * Grants a role to a user.
   * @example etcd.auth.grantRole('app', 'app-rw')
   */
  grantRole(user: string, role: string, options?: CallOptions): Observable<ResponseHeader>;
  /**
   * Takes a role from a user.
   * @example etcd.auth.revokeRole('app', 'app-rw')
   */
  revokeRole(user: string, role: string, options?: CallOptions): Observable<ResponseHeader>;
  /**
   * Adds a role (without permissions).
   * @example etcd.auth.addRole('app-rw')
   */
  addRole(name: string, options?: CallOptions): Observable<ResponseHeader>;
  /**
   * Deletes a role; EtcdNotFoundError when there is none of that name.
   * @example etcd.auth.deleteRole('app-rw')
   */
  deleteRole(name: string, options?: CallOptions): Observable<ResponseHeader>;
  /**
   * The names of every role, sorted.
   * @example etcd.auth.roles().subscribe((names) => console.log(names))
   */
  roles(options?: CallOptions): Observable<string[]>;
  /**
   * One role and its permissions: `Some(Role)`, or `None` when there is none of that name.
   * @example etcd.auth.role('app-rw').subscribe((r) => r.some && r.val.permissions.forEach((p) => console.log(p.type, p.keys)))
   */
  role(name: string, options?: CallOptions): Observable<Option<Role>>;
  /**
   * Lets a role read, write or both on a key, a `{ prefix }`, a `{ from, to }` range or `{ from }` on.
   * @example etcd.auth.grantPermission('app-rw', 'readwrite', { prefix: 'app/' })
   */
  grantPermission(role: string, type: PermissionType, keys: KeySelector, options?: CallOptions): Observable<ResponseHeader>;
  /**
   * Takes back the permission a role has on exactly these keys (as granted).
   * @example etcd.auth.revokePermission('app-rw', { prefix: 'app/' })
   */
  revokePermission(role: string, keys: KeySelector, options?: CallOptions): Observable<ResponseHeader>;
}
