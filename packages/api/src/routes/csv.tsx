import { EMPLOYEE_PAGE_LIMIT } from '@empdir/shared';
import { stringify } from 'csv-stringify/sync';
import { Hono } from 'hono';
import type { AppDeps } from '../app-deps.js';
import type { AppEnv } from '../app-env.js';
import { CSV_COLUMNS, employeeRecord } from '../csv/csv-cells.js';
import { readImport } from '../csv/csv-import.js';
import { applyImport } from '../csv/employee-import.js';
import type { EmployeeService } from '../employee-service.js';
import { AppError, describeError, UnsupportedMediaTypeError, ValidationError } from '../errors.js';
import { readForm } from '../middleware/csrf-token.js';
import type { StoredPage } from '../store/employee-store.js';
import { ImportPage } from '../views/import-page.js';
import { renderPage } from '../views/render.js';

// RFC 4180: CRLF between records, quotes only where a cell needs them.
const CSV_OPTIONS = { record_delimiter: 'windows', quoted_match: /^\s|\s$/ } as const;
// Spreadsheets read a BOM as "this is UTF-8"; the import skips it.
const BOM = '\uFEFF';

/** The whole directory as CSV, streamed one page of the byName index at a time. */
function exportBody(service: EmployeeService, first: StoredPage): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let page: StoredPage | undefined = first;
  let started = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      let text = '';
      if (!started) {
        started = true;
        text = BOM + stringify([[...CSV_COLUMNS]], CSV_OPTIONS);
      }
      if (!page) {
        controller.close();
        return;
      }
      text += stringify(page.items.map(employeeRecord), CSV_OPTIONS);
      controller.enqueue(encoder.encode(text));
      const cursor = page.nextCursor;
      // A failure mid-way errors the stream: the client sees a cut transfer, never a short file.
      page = cursor ? await service.list({ limit: EMPLOYEE_PAGE_LIMIT.max, cursor }) : undefined;
    },
  });
}

/** CSV export (viewer) and import (editor), as JSON API routes and an upload page. */
export function csvRoutes(deps: AppDeps, service: EmployeeService) {
  return new Hono<AppEnv>()
    .get('/api/employees.csv', async (c) => {
      // The first page is read before any byte is sent, so an unreachable table is a proper 503.
      const first = await service.list({ limit: EMPLOYEE_PAGE_LIMIT.max });
      c.header('Content-Type', 'text/csv; charset=utf-8; header=present');
      c.header('Content-Disposition', 'attachment; filename="employees.csv"');
      c.header('Cache-Control', 'no-store');
      return c.body(exportBody(service, first));
    })
    .post('/api/employees.csv', async (c) => {
      const type = (c.req.header('content-type') ?? '').toLowerCase();
      if (!/^(text|application)\/csv\s*(;|$)/.test(type)) {
        throw new UnsupportedMediaTypeError('Send the file as text/csv.');
      }
      const rows = await readImport(c.req.raw.body);
      return c.json(await applyImport(rows, deps));
    })
    .get('/import', (c) => renderPage(c, <ImportPage csrfToken={c.var.csrfToken} />))
    .post('/import', async (c) => {
      const file = (await readForm(c)).file;
      try {
        if (!(file instanceof File) || file.size === 0) {
          throw new ValidationError([{ path: 'file', message: 'choose a CSV file' }]);
        }
        const summary = await applyImport(await readImport(file.stream()), deps);
        return renderPage(c, <ImportPage csrfToken={c.var.csrfToken} summary={summary} />);
      } catch (error) {
        // Refusals are shown on the form; anything else is the app's error page.
        if (!(error instanceof AppError) || error.status >= 500) throw error;
        const { status, message, issues } = describeError(error);
        return renderPage(
          c,
          <ImportPage csrfToken={c.var.csrfToken} error={{ message, issues: issues ?? [] }} />,
          status as 400,
        );
      }
    });
}
