import { Hono } from 'hono';
import type { AppEnv } from '../app-env.js';
import type { EmployeeService } from '../employee-service.js';
import { EveryoneRows } from '../everyone/row-html.js';
import type { DirectoryPage } from '../store/directory-rows.js';
import { everyoneFrame } from '../views/everyone-frame.js';

const INCOMPLETE =
  '<tr><td colspan="2" role="alert">The list stops here: the directory could not be read. Reload to try again.</td></tr>';

/**
 * GET /everyone: the whole directory on one page, for the browser's find. Streamed: the frame
 * goes out first, then each page of the byName index as it arrives, so memory stays one page.
 */
export function everyoneRoutes(service: EmployeeService, rows = new EveryoneRows()) {
  return new Hono<AppEnv>().get('/everyone', async (c) => {
    const log = c.var.log;
    const pages = service.directory()[Symbol.asyncIterator]();
    const read = async (): Promise<DirectoryPage | undefined> => {
      const next = await pages.next();
      if (next.done) return undefined;
      // A malformed item is the table's fault: leave its row out, say so in the log, show the rest.
      if (next.value.skipped.length > 0) {
        log.warn(
          { skipped: next.value.skipped, requestId: c.var.requestId },
          'everyone skipped items',
        );
      }
      return next.value;
    };
    // The first page is read before any byte is sent, so an unreachable table is a proper 503.
    let page = await read();
    // Pages of only skipped items must not make a non-empty directory look empty.
    while (page && page.rows.length === 0) page = await read();
    const { head, tail } = await everyoneFrame(c, { empty: !page || page.rows.length === 0 });
    const encoder = new TextEncoder();
    let started = false;
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (!started) {
          started = true;
          controller.enqueue(encoder.encode(head));
        }
        if (!page) {
          controller.enqueue(encoder.encode(tail));
          controller.close();
          return;
        }
        const current: DirectoryPage = page;
        const urls = await service.signedPhotoUrls(current.rows);
        const parts: Buffer[] = [];
        for (const employee of current.rows) {
          const url = employee.photoKey ? urls.get(employee.photoKey) : undefined;
          parts.push(...rows.render(employee, url));
        }
        if (parts.length > 0) controller.enqueue(Buffer.concat(parts));
        page = undefined;
        try {
          page = await read();
        } catch (err) {
          // The status went out with the head: say so in the page and end it properly.
          log.error({ err, requestId: c.var.requestId }, 'everyone page cut short');
          controller.enqueue(encoder.encode(INCOMPLETE));
        }
      },
    });
    c.header('Content-Type', 'text/html; charset=UTF-8');
    c.header('Cache-Control', 'no-store');
    return c.body(body);
  });
}
