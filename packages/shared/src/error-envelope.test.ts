import t from 'tap';
import { z } from 'zod';
import { errorEnvelope, errorEnvelopeSchema, issuesFromZod } from './error-envelope.js';

t.test('an envelope carries its issues only when there are some', async (t) => {
  const issues = [{ path: 'fullName', message: 'Full name is required' }];
  const withIssues = errorEnvelope('validation_failed', 'invalid input', 'req-1', issues);
  t.same(withIssues, {
    error: { code: 'validation_failed', message: 'invalid input', requestId: 'req-1', issues },
  });
  t.not(withIssues.error.issues, issues, 'a copy: the caller may reuse its array');
  t.same(errorEnvelopeSchema.parse(withIssues), withIssues);
  for (const none of [undefined, []]) {
    const plain = errorEnvelope('not_found', 'no such employee', 'req-2', none);
    t.same(plain, {
      error: { code: 'not_found', message: 'no such employee', requestId: 'req-2' },
    });
    t.notOk('issues' in plain.error);
  }
});

t.test('zod issues become dotted paths and messages, never the rejected value', async (t) => {
  const schema = z.object({ items: z.array(z.object({ name: z.string().max(2, 'too long') })) });
  const result = schema.safeParse({ items: [{ name: 'ok' }, { name: 'secret-value' }] });
  t.equal(result.success, false);
  const issues = result.error ? issuesFromZod(result.error) : [];
  t.same(issues, [{ path: 'items.1.name', message: 'too long' }]);
  t.notMatch(JSON.stringify(issues), /secret-value/);
});
