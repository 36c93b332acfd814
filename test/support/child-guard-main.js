// Runs one command and makes sure it cannot outlive whoever started us:
// `node child-guard-main.js <graceMs> <command> [args...]`. startChild spawns this guard as a
// process-group leader with a stdin pipe; the command joins the group and shares our stdout and
// stderr. When the pipe closes (the parent exited or was SIGKILLed) the whole group gets SIGTERM,
// then SIGKILL after <graceMs>. We exit with the command's exit code.
import { spawn } from 'node:child_process';
import { fstatSync } from 'node:fs';
import { constants } from 'node:os';

const [graceArg, command, ...args] = process.argv.slice(2);
const graceMs = Number(graceArg);
if (!command || !Number.isFinite(graceMs)) {
  console.error('usage: node child-guard-main.js <graceMs> <command> [args...]');
  process.exit(2);
}

// The command's stdin is a pipe from us, so a command that watches its stdin also sees us go.
const child = spawn(command, args, { stdio: ['pipe', 'inherit', 'inherit'] });
child.stdin?.on('error', () => {});
let terminating = false;

child.once('error', (error) => {
  console.error(`could not start ${command}: ${error.message}`);
  process.exit(127);
});
child.once('exit', (code, signal) => {
  process.exit(code ?? 128 + (signal ? constants.signals[signal] : 0));
});

/** @param {boolean} signalGroup false when the group was already signalled (by stop()) */
function terminate(signalGroup) {
  if (terminating) return;
  terminating = true;
  if (signalGroup) killGroup('SIGTERM');
  // A command that ignores SIGTERM is not allowed to linger.
  setTimeout(() => killGroup('SIGKILL'), graceMs).unref();
}

/** @param {NodeJS.Signals} signal */
function killGroup(signal) {
  try {
    process.kill(-process.pid, signal);
  } catch {
    child.kill(signal);
  }
}

// stop() signals the whole group itself; we only wait for the command and bound its cleanup.
process.on('SIGTERM', () => terminate(false));
process.on('SIGINT', () => terminate(false));
if (stdinIsPipe()) {
  process.stdin.on('data', () => {});
  process.stdin.once('end', () => terminate(true));
  process.stdin.once('close', () => terminate(true));
  process.stdin.once('error', () => terminate(true));
}

function stdinIsPipe() {
  try {
    const stat = fstatSync(0);
    return stat.isFIFO() || stat.isSocket();
  } catch {
    return false;
  }
}
