import { Hono } from 'hono';
import type { AppEnv } from '../app-env.js';
import type { EmployeeService } from '../employee-service.js';
import { UnsupportedMediaTypeError, ValidationError } from '../errors.js';
import { readForm } from '../middleware/csrf-token.js';
import { PHOTO_WRONG_TYPE } from '../photos/photo-processor.js';
import { etagFor, readIfMatch, toEmployeeView } from './api-support.js';

/** GET (a redirect to S3), PUT and DELETE of an employee's photo; the image type is read from its bytes. */
export function photosApiRoutes(service: EmployeeService) {
  return new Hono<AppEnv>()
    .get('/employees/:id/photo', async (c) => {
      const url = await service.signedPhotoUrl(c.req.param('id'));
      // The redirect must not outlive the URL it points at; the image bytes themselves cache.
      c.header('Cache-Control', 'private, no-store');
      return c.redirect(url, 302);
    })
    .put('/employees/:id/photo', async (c) => {
      const expectedVersion = readIfMatch(c, false);
      const type = (c.req.header('content-type') ?? '').toLowerCase();
      let bytes: Uint8Array;
      if (type.startsWith('multipart/form-data')) {
        const photo = (await readForm(c)).photo;
        if (!(photo instanceof File) || photo.size === 0) {
          throw new ValidationError([
            { path: 'photo', message: 'send one file in the photo field' },
          ]);
        }
        bytes = new Uint8Array(await photo.arrayBuffer());
      } else if (type.startsWith('image/') || type.startsWith('application/octet-stream')) {
        bytes = new Uint8Array(await c.req.arrayBuffer());
      } else {
        throw new UnsupportedMediaTypeError(PHOTO_WRONG_TYPE);
      }
      const employee = await service.update(
        c.req.param('id'),
        {},
        { expectedVersion, photo: bytes },
      );
      c.header('ETag', etagFor(employee.version));
      return c.json(await toEmployeeView(service, employee));
    })
    .delete('/employees/:id/photo', async (c) => {
      const expectedVersion = readIfMatch(c, false);
      const employee = await service.removePhoto(c.req.param('id'), { expectedVersion });
      c.header('ETag', etagFor(employee.version));
      return c.json(await toEmployeeView(service, employee));
    });
}
