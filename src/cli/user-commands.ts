/**
 * Turning authentication on and off, and the user commands, with etcdctl's arguments:
 * `auth enable | disable`, `user add | delete | list | get | passwd | grant-role | revoke-role`.
 */
import { concatMap, from, throwError, toArray } from 'rxjs';
import { EtcdNotFoundError } from '../index';
import { UsageError } from './args';
import { Command, Context, finished } from './command';
import { splitUser } from './connection';
import { firstLine, passwordInput } from './password';
import { confirmed, found, roleJson, roleText } from './role-commands';

const USER = [{ name: 'USER' }];
const INTERACTIVE = { name: 'interactive', kind: 'boolean', description: 'ask on the terminal (the default); =false reads the password from stdin' } as const;

/** `auth enable` */
export const authEnable: Command = {
  name: 'auth enable',
  summary: 'turn authentication on (the root user must exist and have the root role)',
  args: { positionals: [], flags: [] },
  examples: ['etcd-rx auth enable', 'etcd-rx user add root && etcd-rx user grant-role root root && etcd-rx auth enable'],
  run: (context) => confirmed(context, context.etcd().auth.enable(), { enabled: true }, 'Authentication Enabled'),
};

/** `auth disable` */
export const authDisable: Command = {
  name: 'auth disable',
  summary: 'turn authentication off (as root)',
  args: { positionals: [], flags: [] },
  examples: ['etcd-rx auth disable --user root'],
  run: (context) => confirmed(context, context.etcd().auth.disable(), { enabled: false }, 'Authentication Disabled'),
};

/** `user add USER[:PASSWORD] [--new-user-password P] [--no-password] [--interactive=false]` */
export const userAdd: Command = {
  name: 'user add',
  summary: 'add a user (the password is asked for unless given)',
  details:
    'The password comes from USER:PASSWORD, --new-user-password, or the terminal (asked twice, not\n' +
    'shown); without a terminal, or with --interactive=false, it is the first line of stdin.\n' +
    '--no-password adds a user who can only log in with a TLS client certificate.',
  args: {
    positionals: [{ name: 'USER[:PASSWORD]' }],
    flags: [
      INTERACTIVE,
      {
        name: 'new-user-password',
        kind: 'string',
        placeholder: 'PASSWORD',
        description: 'the password (visible in the process list: prefer the prompt or stdin)',
      },
      { name: 'no-password', kind: 'boolean', description: 'a user without a password (TLS client certificate only)' },
    ],
  },
  examples: ['etcd-rx user add app', 'echo "$APP_PASSWORD" | etcd-rx user add app --interactive=false', 'etcd-rx user add root:secret'],
  run: async (context) => {
    const [name, given] = splitUser(context.args.positionals[0]);
    const flagged = context.args.text('new-user-password');
    if ([given, flagged, context.args.bool('no-password') || undefined].filter((p) => p !== undefined).length > 1) {
      throw new UsageError('give the password one way only: USER:PASSWORD, --new-user-password or --no-password');
    }
    const password = context.args.bool('no-password')
      ? ({ noPassword: true } as const)
      : (given ?? flagged ?? (await typedPassword(context, `Password of ${name}: `)));
    return confirmed(context, context.etcd().auth.addUser(name, password), { user: name, added: true }, `User ${name} created`);
  },
};

/** `user delete USER` */
export const userDelete: Command = {
  name: 'user delete',
  summary: 'delete a user',
  args: { positionals: USER, flags: [] },
  examples: ['etcd-rx user delete app'],
  run: (context) => {
    const user = context.args.positionals[0];
    return confirmed(context, context.etcd().auth.deleteUser(user), { user, deleted: true }, `User ${user} deleted`);
  },
};

/** `user list` */
export const userList: Command = {
  name: 'user list',
  summary: 'list every user',
  args: { positionals: [], flags: [] },
  examples: ['etcd-rx user list'],
  run: async (context) =>
    finished(
      await context.interrupts.run(context.etcd().auth.users(), (users) =>
        context.out.list(
          users.map((user) => ({ user })),
          () => users.join('\n'),
        ),
      ),
    ),
};

/** `user get USER [--detail]` */
export const userGet: Command = {
  name: 'user get',
  summary: 'show the roles of a user (with --detail, their permissions too)',
  args: { positionals: USER, flags: [{ name: 'detail', kind: 'boolean', description: "also show each role's permissions" }] },
  examples: ['etcd-rx user get app', 'etcd-rx user get app --detail'],
  run: async (context) => {
    const auth = context.etcd().auth;
    const name = context.args.positionals[0];
    if (!context.args.bool('detail')) {
      return found(context, auth.user(name), `user ${name} not found`, (user) =>
        context.out.emit(user, () => `User: ${user.name}\nRoles:${user.roles.map((r) => ` ${r}`).join('')}`),
      );
    }
    const roles = auth.user(name).pipe(
      concatMap((user) => (user.some ? from(user.val.roles) : throwError(() => new EtcdNotFoundError(`user ${name} not found`)))),
      concatMap((role) => auth.role(role)),
      toArray(),
    );
    return finished(
      await context.interrupts.run(roles, (found) => {
        const shown = found.filter((role) => role.some).map((role) => role.unwrap());
        context.out.emit({ user: name, roles: shown.map(roleJson) }, () => [`User: ${name}`, ...shown.map((role) => `\n${roleText(role)}`)].join('\n'));
      }),
    );
  },
};

/** `user passwd USER [--interactive=false]` */
export const userPasswd: Command = {
  name: 'user passwd',
  summary: "change a user's password (asked on the terminal, else the first line of stdin)",
  args: { positionals: USER, flags: [INTERACTIVE] },
  examples: ['etcd-rx user passwd app', 'echo "$NEW_PASSWORD" | etcd-rx user passwd app --interactive=false'],
  run: async (context) => {
    const user = context.args.positionals[0];
    const password = await typedPassword(context, `Password of ${user}: `);
    return confirmed(context, context.etcd().auth.changePassword(user, password), { user, passwordChanged: true }, 'Password updated');
  },
};

/** `user grant-role USER ROLE` */
export const userGrantRole: Command = {
  name: 'user grant-role',
  summary: 'grant a role to a user',
  args: { positionals: [{ name: 'USER' }, { name: 'ROLE' }], flags: [] },
  examples: ['etcd-rx user grant-role app app-rw'],
  run: (context) => {
    const [user, role] = context.args.positionals;
    return confirmed(context, context.etcd().auth.grantRole(user, role), { user, role, granted: true }, `Role ${role} is granted to user ${user}`);
  },
};

/** `user revoke-role USER ROLE` */
export const userRevokeRole: Command = {
  name: 'user revoke-role',
  summary: 'take a role from a user',
  args: { positionals: [{ name: 'USER' }, { name: 'ROLE' }], flags: [] },
  examples: ['etcd-rx user revoke-role app app-rw'],
  run: (context) => {
    const [user, role] = context.args.positionals;
    return confirmed(context, context.etcd().auth.revokeRole(user, role), { user, role, revoked: true }, `Role ${role} is revoked from user ${user}`);
  },
};

/** A new password: asked on the terminal unless --interactive=false, else read from stdin. */
function typedPassword(context: Context, prompt: string): Promise<string> {
  const interactive = !context.args.has('interactive') || context.args.bool('interactive');
  return interactive ? passwordInput(context.io, prompt, { confirm: true }) : firstLine(context.io.stdin);
}
