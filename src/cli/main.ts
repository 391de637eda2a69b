#!/usr/bin/env node
/**
 * The `etcd-rx` executable: runs the command line and exits with its code. Everything it uses
 * comes from the public API of etcd-rx.
 */
import { runCli } from './cli';
import { userArguments } from './command-line';
import { Interrupts } from './interrupts';
import { silenceKnownWarnings } from './warnings';

silenceKnownWarnings(process);

const interrupts = new Interrupts();
interrupts.install();
// A reader that went away (`etcd-rx watch k | head -1`) ends the command like a signal would,
// instead of crashing on the next write.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') interrupts.interrupt('SIGPIPE');
});

const io = {
  // Made on first use: setting up stdin costs start-up time that most commands never need.
  get stdin() {
    return process.stdin;
  },
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
};

void runCli(userArguments(process.argv), io, interrupts).then((code) => {
  process.exitCode = code;
  // The command is done and its client closed: leave as soon as stdout and stderr have taken
  // what was written (on a pipe that may be later, on some systems), rather than wait for the
  // sockets' closing to run its course. Should a reader never take the output, leaving anyway
  // beats hanging a script.
  let pending = 2;
  const flushed = () => {
    if (--pending === 0) process.exit(code);
  };
  process.stdout.write('', flushed);
  process.stderr.write('', flushed);
  setTimeout(() => process.exit(code), 2000).unref();
});
