import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Which lane a model run belongs to. Live camera frames are the default; uploads (`/api/analyze`,
 * face photos, poses) run inside `inUploadLane`, and the session pool serves them only on
 * workers with nothing else to do, so an upload flood never delays a camera (issue 17).
 *
 * The lane travels with the async context rather than as a parameter: an upload reaches the
 * pool through the registry, the pose library and every model family's decoder, none of which
 * should have to know who is asking.
 */
export type Lane = 'live' | 'upload';

const lane = new AsyncLocalStorage<Lane>();

export function inUploadLane<T>(work: () => Promise<T>): Promise<T> {
  return lane.run('upload', work);
}

export function currentLane(): Lane {
  return lane.getStore() ?? 'live';
}
