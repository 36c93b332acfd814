import t from 'tap';
import { FakeClock } from './fake-clock.js';
import { TokenRotation } from './token-rotation.js';

function rotation(write: (path: string, token: string) => Promise<unknown>) {
  const clock = new FakeClock({ startMs: 1_000_000 });
  const tokens = new TokenRotation({
    tokenFile: '/nonexistent/token',
    token: 'first',
    overlapMs: 600_000,
    clock,
    write,
  });
  return { clock, tokens };
}

t.test('the previous token is accepted for the overlap, then refused', async (t) => {
  const written: string[] = [];
  const { clock, tokens } = rotation(async (_path, token) => written.push(token));
  t.ok(tokens.accepts('first'));
  t.notOk(tokens.accepts('other'));
  t.equal(tokens.previousValidUntilMs(), undefined);
  await tokens.rotate();
  const second = written[0] ?? '';
  t.match(second, /^[A-Za-z0-9_-]{43}$/);
  t.ok(tokens.accepts(second), 'the new token');
  t.ok(tokens.accepts('first'), 'the old one, inside the overlap');
  t.equal(tokens.previousValidUntilMs(), 1_600_000);
  clock.advance(599_999);
  t.ok(tokens.accepts('first'));
  clock.advance(1);
  t.notOk(tokens.accepts('first'), 'refused once the overlap ends');
  t.equal(tokens.previousValidUntilMs(), undefined);
  t.ok(tokens.accepts(second));
});

t.test('rotations run one at a time; only the latest previous token overlaps', async (t) => {
  const written: string[] = [];
  const { tokens } = rotation(async (_path, token) => written.push(token));
  await Promise.all([tokens.rotate(), tokens.rotate()]);
  t.equal(written.length, 2);
  t.notOk(tokens.accepts('first'), 'two rotations back');
  t.ok(tokens.accepts(written[0] ?? ''));
  t.ok(tokens.accepts(written[1] ?? ''));
});

t.test('a failed write keeps the current token and the overlap as they were', async (t) => {
  const { tokens } = rotation(async () => {
    throw new Error('disk full');
  });
  await t.rejects(tokens.rotate(), /disk full/);
  t.ok(tokens.accepts('first'));
  t.equal(tokens.previousValidUntilMs(), undefined);
});
