import { ServerBusyError } from '../errors.js';
import { toPortraitPng } from './photo-processor.js';

/** Turns an upload into the stored PNG; toPortraitPng in the app, a stand-in in tests. */
export type PhotoProcessor = (bytes: Uint8Array) => Promise<Uint8Array>;

/**
 * At most `maxConcurrent` photos decoded and resized at once. Excess is refused at once (503 +
 * Retry-After) rather than queued: a queue of decodes only adds memory and latency under attack.
 */
export class ImageJobs {
  #running = 0;

  constructor(
    readonly maxConcurrent: number,
    private readonly processor: PhotoProcessor = toPortraitPng,
  ) {}

  get running(): number {
    return this.#running;
  }

  async toStoredPng(bytes: Uint8Array): Promise<Uint8Array> {
    if (this.#running >= this.maxConcurrent) {
      throw new ServerBusyError(
        'Too many photos are being processed right now; try again shortly.',
      );
    }
    this.#running += 1;
    try {
      return await this.processor(bytes);
    } finally {
      this.#running -= 1;
    }
  }
}
