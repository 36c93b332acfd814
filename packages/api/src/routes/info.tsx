import { Hono } from 'hono';
import type { AppDeps } from '../app-deps.js';
import type { AppEnv } from '../app-env.js';
import { AppError, BadRequestError } from '../errors.js';
import { readForm } from '../middleware/csrf-token.js';
import { setFlash } from '../middleware/flash.js';
import { STRESS_MINUTES } from '../stress/cpu-stress.js';
import { InfoPage } from '../views/info-page.js';
import { renderPage } from '../views/render.js';

const timeOfDay = (ms: number) => `${new Date(ms).toISOString().slice(11, 19)} UTC`;

/** GET /info and the CPU stress buttons (POST, CSRF-checked, 1/5/10 minutes only). */
export function infoRoutes(deps: AppDeps) {
  const cookies = { secret: deps.config.sessionSecret, cookieSecure: deps.config.cookieSecure };
  return new Hono<AppEnv>()
    .get('/info', async (c) => {
      const until = deps.stress.runningUntilMs();
      return renderPage(
        c,
        <InfoPage
          info={await deps.instanceInfo.get()}
          stressAvailable={deps.stress.available}
          stressUntil={until === undefined ? undefined : timeOfDay(until)}
          csrfToken={c.var.csrfToken}
          flash={c.var.flash}
        />,
      );
    })
    .post('/info/stress', async (c) => {
      const raw = (await readForm(c)).minutes;
      const minutes = STRESS_MINUTES.find((allowed) => raw === String(allowed));
      if (minutes === undefined) {
        throw new BadRequestError('Choose 1, 5 or 10 minutes of CPU stress.');
      }
      if (!deps.stress.available)
        throw new AppError(403, 'forbidden', 'CPU stress is not available on AWS Lambda.');
      const result = deps.stress.start(minutes);
      await setFlash(c, result.started ? 'stress' : 'stress-busy', cookies);
      return c.redirect('/info', 303);
    });
}
