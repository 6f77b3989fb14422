import type { ArgusEvent } from '../../events/event.js';
import type { ApiPlugin } from '../zod-validation.js';

export interface NowRoutesDeps {
  /** Every camera the UI shows, so one that sees nothing is listed with none. */
  cameras: readonly string[];
  /** Per camera, its open events seen in the last few seconds (EventManager.inView). */
  inView: () => Record<string, ArgusEvent[]>;
}

/**
 * `GET /api/now`: what each camera sees now, as its open events that were seen in the last few
 * seconds (an event stays open `end_after` after its object left; the Person count counts the
 * same). The Live page shows them under each camera.
 */
export const nowRoutes: ApiPlugin<NowRoutesDeps> = async (app, { cameras, inView }) => {
  app.get('/', async () => {
    const seen = inView();
    return { time: new Date().toISOString(), cameras: Object.fromEntries(cameras.map((name) => [name, seen[name] ?? []])) };
  });
};
