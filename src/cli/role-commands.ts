/** The role commands, with etcdctl's arguments: `role add | delete | list | get | grant-permission | revoke-permission`. */
import type { Observable } from 'rxjs';
import { EtcdNotFoundError } from '../index';
import type { KeySelector, Option, Permission, PermissionType, Role } from '../index';
import { UsageError } from './args';
import { Command, Context, finished } from './command';
import { argumentBytes } from './command-line';
import { KEY_POSITIONALS, KEY_RANGE_FLAGS, keySelector } from './key-args';
import { bytesJson, showBytes } from './render';

const ROLE = [{ name: 'ROLE' }];

/**
 * Runs an administration call and, once it is done, prints `text` (JSON: `json`).
 * @example return confirmed(context, etcd.auth.addRole('r'), { role: 'r', added: true }, 'Role r created')
 */
export async function confirmed(context: Context, call: Observable<unknown>, json: object, text: string): Promise<number> {
  return finished(await context.interrupts.run(call, () => context.out.emit(json, () => text)));
}

/**
 * Runs a call that may answer None (a user or role that does not exist), printing what it
 * found, or failing with `missing` as etcdctl does.
 * @example return found(context, etcd.auth.role('r'), `role ${context.args.positionals[0]} not found`, print)
 */
export async function found<T>(context: Context, call: Observable<Option<T>>, missing: string, print: (value: T) => void): Promise<number> {
  let absent = false;
  const exit = finished(await context.interrupts.run(call, (answer) => (answer.some ? print(answer.val) : (absent = true))));
  if (absent) throw new EtcdNotFoundError(missing);
  return exit;
}

/** `role add ROLE` */
export const roleAdd: Command = {
  name: 'role add',
  summary: 'add a role (without permissions)',
  args: { positionals: ROLE, flags: [] },
  examples: ['etcd-rx role add app-rw'],
  run: (context) => {
    const role = context.args.positionals[0];
    return confirmed(context, context.etcd().auth.addRole(role), { role, added: true }, `Role ${role} created`);
  },
};

/** `role delete ROLE` */
export const roleDelete: Command = {
  name: 'role delete',
  summary: 'delete a role',
  args: { positionals: ROLE, flags: [] },
  examples: ['etcd-rx role delete app-rw'],
  run: (context) => {
    const role = context.args.positionals[0];
    return confirmed(context, context.etcd().auth.deleteRole(role), { role, deleted: true }, `Role ${role} deleted`);
  },
};

/** `role list` */
export const roleList: Command = {
  name: 'role list',
  summary: 'list every role',
  args: { positionals: [], flags: [] },
  examples: ['etcd-rx role list'],
  run: async (context) =>
    finished(
      await context.interrupts.run(context.etcd().auth.roles(), (roles) =>
        context.out.list(
          roles.map((role) => ({ role })),
          () => roles.join('\n'),
        ),
      ),
    ),
};

/** `role get ROLE` */
export const roleGet: Command = {
  name: 'role get',
  summary: 'show the permissions of a role',
  details: 'Prints the keys the role may read, then those it may write, as etcdctl does.',
  args: { positionals: ROLE, flags: [] },
  examples: ['etcd-rx role get app-rw', 'etcd-rx role get app-rw -o json'],
  run: (context) =>
    found(context, context.etcd().auth.role(context.args.positionals[0]), `role ${context.args.positionals[0]} not found`, (role) =>
      context.out.emit(roleJson(role), () => roleText(role)),
    ),
};

const PERMISSION_TYPES: readonly PermissionType[] = ['read', 'write', 'readwrite'];

/** `role grant-permission ROLE TYPE KEY [END] [--prefix] [--from-key]` */
export const roleGrantPermission: Command = {
  name: 'role grant-permission',
  summary: 'let a role read, write or readwrite a key, a range or a prefix',
  args: { positionals: [{ name: 'ROLE' }, { name: 'TYPE' }, ...KEY_POSITIONALS], flags: KEY_RANGE_FLAGS },
  examples: [
    'etcd-rx role grant-permission app-rw readwrite app/ --prefix',
    'etcd-rx role grant-permission reports read a m',
    'etcd-rx role grant-permission audit read "" --from-key',
  ],
  run: (context) => {
    const [role, type] = context.args.positionals;
    const permission = PERMISSION_TYPES.find((t) => t === type.toLowerCase());
    if (permission === undefined) throw new UsageError(`TYPE must be read, write or readwrite, got "${type}"`);
    const keys = keySelector(context.args, context.args.positionals.slice(2).map(argumentBytes));
    return confirmed(
      context,
      context.etcd().auth.grantPermission(role, permission, keys),
      { role, granted: { type: permission, keys: keysJson(keys) } },
      `Role ${role} updated`,
    );
  },
};

/** `role revoke-permission ROLE KEY [END] [--prefix] [--from-key]` */
export const roleRevokePermission: Command = {
  name: 'role revoke-permission',
  summary: 'take back the permission a role has on a key, a range or a prefix (as granted)',
  args: { positionals: [{ name: 'ROLE' }, ...KEY_POSITIONALS], flags: KEY_RANGE_FLAGS },
  examples: ['etcd-rx role revoke-permission app-rw app/ --prefix', 'etcd-rx role revoke-permission reports a m'],
  run: (context) => {
    const role = context.args.positionals[0];
    const keys = keySelector(context.args, context.args.positionals.slice(1).map(argumentBytes));
    const what = typeof keys === 'string' || keys instanceof Uint8Array ? `key ${keysText(keys)}` : `range ${keysText(keys)}`;
    return confirmed(
      context,
      context.etcd().auth.revokePermission(role, keys),
      { role, revoked: keysJson(keys) },
      `Permission of ${what} is revoked from role ${role}`,
    );
  },
};

/**
 * A role as etcdctl prints it: its name, then the keys it may read and those it may write.
 * @example roleText({ name: 'r', permissions: [{ type: 'read', keys: { prefix: 'app/' } }] })
 */
export function roleText(role: Role): string {
  const lines = (types: readonly PermissionType[]) => role.permissions.filter((p) => types.includes(p.type)).map((p) => `\t${keysText(p.keys)}`);
  return [`Role ${role.name}`, 'KV Read:', ...lines(['read', 'readwrite']), 'KV Write:', ...lines(['write', 'readwrite'])].join('\n');
}

/**
 * A role as JSON: its name and each permission's type and keys.
 * @example roleJson(role) // { role: 'r', permissions: [{ type: 'read', keys: { key: 'app/', prefix: true } }] }
 */
export function roleJson(role: Role): Record<string, unknown> {
  return { role: role.name, permissions: role.permissions.map((p: Permission) => ({ type: p.type, keys: keysJson(p.keys) })) };
}

/** Keys as JSON: `{ key }`, with `prefix: true`, `fromKey: true` or a `rangeEnd`. */
function keysJson(keys: KeySelector): Record<string, unknown> {
  const json = (name: string, b: string | Uint8Array) => bytesJson(name, Buffer.from(b));
  if (typeof keys === 'string' || keys instanceof Uint8Array) return json('key', keys);
  if ('key' in keys) return json('key', keys.key);
  if ('prefix' in keys) return { ...json('key', keys.prefix), prefix: true };
  return keys.to === undefined ? { ...json('key', keys.from), fromKey: true } : { ...json('key', keys.from), ...json('rangeEnd', keys.to) };
}

/** Keys as etcdctl shows a permission's: `k`, `[a, m)`, `[m, <open ended>`, `[app/, …) (prefix app/)`. */
function keysText(keys: KeySelector): string {
  const show = (b: string | Uint8Array) => showBytes(Buffer.from(b));
  if (typeof keys === 'string' || keys instanceof Uint8Array) return show(keys);
  if ('key' in keys) return show(keys.key);
  if ('prefix' in keys) return keys.prefix.length === 0 ? '[every key, <open ended>' : `[${show(keys.prefix)}, …) (prefix ${show(keys.prefix)})`;
  return keys.to === undefined ? `[${show(keys.from)}, <open ended>` : `[${show(keys.from)}, ${show(keys.to)})`;
}
