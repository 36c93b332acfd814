import t from 'tap';
import { BADGE_KEYS, badgeKeySchema, badgeListSchema } from './badges.js';

t.test('an unknown badge is named, with the whole list to choose from', async (t) => {
  const result = badgeKeySchema.safeParse('app');
  t.equal(result.success, false);
  t.equal(
    result.error?.issues[0]?.message,
    'unknown badge "app"; expected one of: apple, windows, linux, video-camera, trophy, camera, plane, paperclip, coffee, gamepad, bug, umbrella',
  );
});

t.test('a list is stored unique and in display order, at most one of each', async (t) => {
  t.same(badgeListSchema.parse(['bug', 'apple', 'bug']), ['apple', 'bug']);
  t.same(badgeListSchema.parse([...BADGE_KEYS].reverse()), BADGE_KEYS);
  t.equal(
    badgeListSchema.safeParse([...BADGE_KEYS, 'apple']).success,
    false,
    'longer than the list',
  );
});
