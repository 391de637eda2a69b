import { constants } from 'os';

/** The exit codes of etcd-rx, one meaning each, as documented in `--help` and the README. */
export const ExitCode = {
  /** Done. */
  OK: 0,
  /** An error (etcd's, the network's, or bad input), with its message on stderr. */
  ERROR: 1,
  /** `lease keep-alive --once` of a lease etcd does not know, as etcdctl exits. */
  LEASE_NOT_FOUND: 2,
  /** What the command held was lost: the lock, the leadership, or the lease. */
  LOST: 3,
  /** The output format asked for is one etcdctl has no form of for this command (as etcdctl exits); nothing was done. */
  BAD_FEATURE: 4,
  /** An argument etcdctl refuses with its own code (`--print-value-only` with another format than simple), as etcdctl exits. */
  BAD_ARGS: 128,
  /** `lock NAME -- COMMAND`: COMMAND was found but could not be run (not executable), as a shell reports it. */
  CANNOT_EXECUTE: 126,
  /** `lock NAME -- COMMAND`: COMMAND was not found, as a shell reports it. */
  NOT_FOUND: 127,
} as const;

/** The exit codes as help and the README show them. */
export const EXIT_CODES_HELP = `exit codes:
  0  done (also when Ctrl-C ends a command that runs until interrupted)
  1  error or bad usage (the message is on stderr)
  2  lease keep-alive --once of a lease etcd does not know, as etcdctl exits
  3  the lock, leadership or lease was lost
  4  -w table or fields asked of a command etcdctl has no such form for (nothing was done)
  128 --print-value-only with another format than simple, as etcdctl exits
  126/127  lock -- COMMAND: COMMAND is not executable / not found (else the exit is COMMAND's own)
  130/143  a one-shot command (or lock -- COMMAND still waiting for the lock) was interrupted by SIGINT/SIGTERM`;

/**
 * 128 + the signal's number: what a shell reports for a process ended by it.
 * @example signalExitCode('SIGINT') // 130
 */
export function signalExitCode(signal: NodeJS.Signals): number {
  return 128 + constants.signals[signal];
}
