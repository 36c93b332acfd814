import t from 'tap';
import { signedInApp } from '../../test-support/sign-in.js';

const setup = (env: Record<string, string> = {}) => signedInApp(env);

t.test('shows instance id and zone from the daemon', async (t) => {
  const { deps, browser } = await setup();
  deps.instance = {
    kind: 'ec2',
    instanceId: 'i-0abc',
    availabilityZone: 'eu-west-1b',
    instanceType: 't3.micro',
  };
  const html = await (await browser.get('/info')).text();
  t.match(html, '<dt>Instance ID</dt><dd>i-0abc</dd>');
  t.match(html, '<dt>Availability Zone</dt><dd>eu-west-1b</dd>');
  t.equal(html.match(/name="minutes" value="(1|5|10)"/g)?.length, 3, 'three stress buttons');
});

t.test('says plainly when not on EC2, on Lambda, or unavailable', async (t) => {
  const { deps, browser } = await setup();
  t.match(await (await browser.get('/info')).text(), 'Not running on EC2');
  deps.instance = { kind: 'unavailable' };
  t.match(
    await (await browser.get('/info')).text(),
    'Instance information is unavailable right now.',
  );
  const lambda = await setup({ AWS_LAMBDA_FUNCTION_NAME: 'empdir' });
  lambda.deps.instance = { kind: 'lambda', functionName: 'empdir' };
  const html = await (await lambda.browser.get('/info')).text();
  t.match(html, 'Running on AWS Lambda (function empdir)');
  t.notMatch(html, 'name="minutes"', 'no stress buttons on Lambda');
  await lambda.browser.get('/info');
  t.equal((await lambda.browser.post('/info/stress', { minutes: '1' })).status, 403);
});

t.test('stress: POST only, 1/5/10 only, one at a time, flashed', async (t) => {
  const { deps, app, browser } = await setup();
  await browser.get('/info');
  const res = await browser.post('/info/stress', { minutes: '5' });
  t.equal(res.status, 303);
  t.equal(res.headers.get('location'), '/info');
  t.same(deps.stress.starts, [5]);
  const page = await (await browser.get('/info')).text();
  t.match(page, 'Stressing CPU');
  t.match(page, 'CPU stress running until 12:05:00 UTC.');
  await browser.post('/info/stress', { minutes: '1' });
  t.match(await (await browser.get('/info')).text(), 'A CPU stress is already running');
  t.same(deps.stress.starts, [5], 'the second was refused');
  for (const minutes of ['7', '0', '600', '1e1', '']) {
    t.equal((await browser.post('/info/stress', { minutes })).status, 400, `minutes=${minutes}`);
  }
  const get = await app.request('/info/stress');
  t.equal(get.status, 405);
  t.equal(get.headers.get('allow'), 'POST');
});
