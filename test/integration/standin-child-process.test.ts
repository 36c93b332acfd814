import { once } from 'node:events';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { standinEnv, startChild, urlLine } from '../support/child-process.js';
import { dynamoDbEngines } from '../support/dynamodb.js';

const support = (file: string) => new URL(`../support/${file}`, import.meta.url);
const node = process.execPath;

/** Live (non-zombie) members of a process group; orphans' zombies wait for PID 1 to reap them. */
function liveMembers(pgid: number): number[] {
  if (!existsSync('/proc/self/stat')) {
    try {
      process.kill(-pgid, 0);
      return [pgid];
    } catch {
      return [];
    }
  }
  const members: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const [state, , group] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(group) === pgid && state !== 'Z') members.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return members;
}

/** True while the process exists and is not a zombie. */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** True once no live process of the group is left; a real wait, since real processes exit. */
async function groupGone(pgid: number, timeoutMs = 15_000) {
  return waitFor(() => liveMembers(pgid).length === 0, timeoutMs);
}

/** Runs a parent process that starts stand-ins, prints their details, then `ending` happens. */
function parentScript(body: string) {
  return `
    import { standinEnv, startChild } from '${support('child-process.js')}';
    import { startDynamoDb } from '${support('dynamodb.js')}';
    import { startS3 } from '${support('s3.js')}';
    ${body}
  `;
}

t.test(
  'stand-ins die with a parent that is SIGKILLed; DynamoDB Local skips a taken port',
  async (t) => {
    const withJava = dynamoDbEngines().includes('dynamodb-local');
    // Held open so DynamoDB Local's first port is taken and it has to retry on another.
    const blocker = createServer().listen(0, '127.0.0.1');
    await once(blocker, 'listening');
    t.teardown(() => blocker.close());
    const takenPort = (blocker.address() as AddressInfo).port;
    const parent = await startChild({
      name: 'parent',
      command: node,
      env: standinEnv(),
      args: [
        '--input-type=module',
        '-e',
        parentScript(`
        const ddb = await startDynamoDb({ engine: 'dynalite' });
        const s3 = await startS3();
        const local = ${withJava}
          ? await startChild({
              name: 'dynamodb-local',
              command: process.execPath,
              args: [${JSON.stringify(fileURLToPath(support('dynamodb-local-main.js')))}, '--first-port', '${takenPort}'],
              env: standinEnv(),
              startTimeoutMs: 90_000,
            })
          : undefined;
        const pids = [ddb.pid, s3.pid, ...(local ? [local.pid] : [])];
        console.log(JSON.stringify({ url: local?.value.url ?? 'x', self: process.pid, pids, dataDir: s3.dataDir }));
        setInterval(() => {}, 1000);
      `),
      ],
      startTimeoutMs: 120_000,
      ready: (line) => {
        if (!urlLine(line)) return undefined;
        return JSON.parse(line) as { url: string; self: number; pids: number[]; dataDir: string };
      },
    });
    t.teardown(() => parent.stop());
    const { url, self, pids, dataDir } = parent.value;
    t.equal(pids.length, withJava ? 3 : 2);
    for (const pid of pids) t.ok(liveMembers(pid).length > 0, 'stand-in running');
    if (withJava) {
      t.not(new URL(url).port, String(takenPort), 'DynamoDB Local moved off the taken port');
      t.ok((await fetch(url)).headers.get('x-amzn-requestid'), 'and answers as DynamoDB there');
      t.equal(liveMembers(pids[2] ?? 0).length, 3, 'DynamoDB Local: guard, wrapper and JVM');
    }
    // startChild runs the parent under its own guard; kill the parent itself, as the OOM killer would.
    process.kill(self, 'SIGKILL');
    for (const pid of pids) t.ok(await groupGone(pid), `group ${pid} gone, grandchildren included`);
    t.ok(await waitFor(() => !existsSync(dataDir)), 's3rver removed its temporary directory');
  },
);

t.test('stand-ins die with a parent that throws past its teardown', async (t) => {
  const parent = await startChild({
    name: 'parent',
    command: node,
    env: standinEnv(),
    args: [
      '--input-type=module',
      '-e',
      parentScript(`
        const s3 = await startS3();
        const ddb = await startDynamoDb({ engine: 'dynalite' });
        console.log(JSON.stringify({ url: 'x', pids: [s3.pid, ddb.pid] }));
        setTimeout(() => { throw new Error('test blew up'); }, 10);
      `),
    ],
    ready: (line) => (urlLine(line) ? (JSON.parse(line) as { pids: number[] }) : undefined),
  });
  t.teardown(() => parent.stop());
  t.equal((await parent.exited).code, 1, 'the parent crashed');
  for (const pid of parent.value.pids) t.ok(await groupGone(pid), `group ${pid} gone`);
});

t.test('startChild failures leave nothing behind', async (t) => {
  await t.rejects(
    startChild({ name: 'missing', command: '/nonexistent/binary', args: [] }),
    /missing exited before it was ready \(code 127[\s\S]*ENOENT/,
  );
  await t.rejects(
    startChild({
      name: 'quitter',
      command: node,
      args: ['-e', 'console.error("no luck"); process.exit(3)'],
    }),
    /quitter exited before it was ready \(code 3[\s\S]*no luck/,
  );
  let silentPid = 0;
  await t.rejects(
    startChild({
      name: 'silent',
      command: node,
      args: ['-e', 'console.log(process.pid); setInterval(() => {}, 1000)'],
      env: standinEnv(),
      // Long enough for a node start on a loaded 2-core machine to print its pid.
      startTimeoutMs: 8_000,
      ready: (line) => {
        silentPid = Number(line);
        return undefined;
      },
    }),
    /silent did not report ready within 8000 ms/,
  );
  t.ok(silentPid > 0, 'the silent child ran');
  t.ok(await waitFor(() => !alive(silentPid)), 'a child that never got ready is killed');
});

t.test('stop() escalates to SIGKILL for a child that ignores SIGTERM and its stdin', async (t) => {
  const stubborn = await startChild({
    name: 'stubborn',
    command: node,
    args: [
      '-e',
      `process.on('SIGTERM', () => {}); console.log('{"url":"x"}'); setInterval(() => {}, 1000)`,
    ],
    stopGraceMs: 100,
  });
  await stubborn.stop();
  t.same(await stubborn.exited, { code: null, signal: 'SIGKILL' });
  // A second stop must signal nothing: the group id may already belong to another process.
  const signalled: Array<[number, unknown]> = [];
  const realKill = process.kill;
  process.kill = ((pid: number, signal?: string | number) => {
    signalled.push([pid, signal]);
    return true;
  }) as typeof process.kill;
  try {
    await stubborn.stop();
  } finally {
    process.kill = realKill;
  }
  t.same(signalled, [], 'stopping twice sends no signal');
});

async function waitFor(check: () => boolean, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return check();
}
