/** Every command of etcd-rx, in the order help lists them. */
import { compaction, leader } from './cluster-commands';
import { Command } from './command';
import { del, put } from './kv-commands';
import { get } from './get-command';
import { elect } from './elect-command';
import { leaseGrant, leaseKeepAlive, leaseList, leaseRevoke, leaseTimeToLive } from './lease-commands';
import { lock } from './lock-command';
import { roleAdd, roleDelete, roleGet, roleGrantPermission, roleList, roleRevokePermission } from './role-commands';
import { txn } from './txn-command';
import { mirrorCommand, watch } from './watch-commands';
import { endpointHashKv, endpointHealth, endpointStatus } from './endpoint-commands';
import { alarmDisarm, alarmList, defrag, moveLeader } from './maintenance-commands';
import { memberAdd, memberList, memberPromote, memberRemove, memberUpdate } from './member-commands';
import { snapshotSave, snapshotStatusCommand } from './snapshot-commands';
import { authDisable, authEnable, userAdd, userDelete, userGet, userGrantRole, userList, userPasswd, userRevokeRole } from './user-commands';

/** The commands. */
export const COMMANDS: readonly Command[] = [
  get,
  put,
  del,
  txn,
  watch,
  mirrorCommand,
  leaseGrant,
  leaseRevoke,
  leaseTimeToLive,
  leaseList,
  leaseKeepAlive,
  lock,
  elect,
  leader,
  compaction,
  memberList,
  memberAdd,
  memberRemove,
  memberUpdate,
  memberPromote,
  endpointStatus,
  endpointHealth,
  endpointHashKv,
  defrag,
  alarmList,
  alarmDisarm,
  moveLeader,
  snapshotSave,
  snapshotStatusCommand,
  authEnable,
  authDisable,
  userAdd,
  userDelete,
  userList,
  userGet,
  userPasswd,
  userGrantRole,
  userRevokeRole,
  roleAdd,
  roleDelete,
  roleList,
  roleGet,
  roleGrantPermission,
  roleRevokePermission,
];

/**
 * The command named `name` (or by an alias), if any.
 * @example findCommand('delete') // del
 */
export function findCommand(name: string): Command | undefined {
  return COMMANDS.find((c) => c.name === name || (c.aliases ?? []).includes(name));
}

/**
 * The subcommands of a group (`lease`): empty when `name` is not a group.
 * @example groupCommands('lease').map((c) => c.name) // ['lease grant', ...]
 */
export function groupCommands(name: string): Command[] {
  return COMMANDS.filter((c) => c.name.startsWith(`${name} `));
}
