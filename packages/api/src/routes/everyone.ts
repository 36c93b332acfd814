import { Hono } from 'hono';
import type { AppEnv } from '../app-env.js';
import type { EmployeeService } from '../employee-service.js';
import { EveryoneRows } from '../everyone/row-html.js';
import type { StoredPage } from '../store/employee-store.js';
import { everyoneFrame } from '../views/everyone-frame.js';

/** Employees per byName query: big pages mean few round trips, and only one page is held at a time. */
export const EVERYONE_PAGE_SIZE = 250;

const INCOMPLETE =
  '<tr><td colspan="2" role="alert">The list stops here: the directory could not be read. Reload to try again.</td></tr>';

/**
 * GET /everyone: the whole directory on one page, for the browser's find. Streamed: the frame
 * goes out first, then each page of the byName index as it arrives, so memory stays one page.
 */
export function everyoneRoutes(service: EmployeeService, rows = new EveryoneRows()) {
  return new Hono<AppEnv>().get('/everyone', async (c) => {
    // The first page is read before any byte is sent, so an unreachable table is a proper 503.
    const first = await service.list({ limit: EVERYONE_PAGE_SIZE });
    const { head, tail } = await everyoneFrame(c, { empty: first.items.length === 0 });
    const log = c.var.log;
    const encoder = new TextEncoder();
    let page: StoredPage | undefined = first;
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
        const current: StoredPage = page;
        const urls = await service.photoUrls(current.items);
        const parts: Buffer[] = [];
        for (const employee of current.items) {
          const url = employee.photoKey ? urls.get(employee.photoKey) : undefined;
          parts.push(...rows.render(employee, url));
        }
        controller.enqueue(Buffer.concat(parts));
        page = undefined;
        if (current.nextCursor) {
          try {
            page = await service.list({ limit: EVERYONE_PAGE_SIZE, cursor: current.nextCursor });
          } catch (err) {
            // The status went out with the head: say so in the page and end it properly.
            log.error({ err, requestId: c.var.requestId }, 'everyone page cut short');
            controller.enqueue(encoder.encode(INCOMPLETE));
          }
        }
      },
    });
    c.header('Content-Type', 'text/html; charset=UTF-8');
    c.header('Cache-Control', 'no-store');
    return c.body(body);
  });
}
