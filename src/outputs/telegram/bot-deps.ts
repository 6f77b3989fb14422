import type { Logger } from '../../log.js';
import type { TelegramState } from '../../store/telegram-state.js';
import type { CameraStatus } from '../../sources/frame.js';
import type { CameraStats } from '../../stats/report.js';
import type { TelegramChatConfig } from './config.js';

export type EnrolResult = { ok: true } | { ok: false; reason: string };

/** What the bot's commands and buttons may do: all of it handed in, nothing reached for. */
export interface BotDeps {
  chats: TelegramChatConfig[];
  state: TelegramState;
  cameraStatuses(): CameraStatus[];
  /** Each camera's analysis load over the last minute (`GET /api/stats`' cameras), for /status; absent: not said. */
  cameraLoads?(): Record<string, Pick<CameraStats, 'overloaded' | 'analyzed_fps' | 'essential_fps' | 'motion_fps'>>;
  /** A fresh annotated JPEG from the camera, or undefined when it has no frame. */
  snapshotNow(camera: string): Promise<Buffer | undefined>;
  listPeople(): Array<{ name: string; samples: number }> | Promise<Array<{ name: string; samples: number }>>;
  /** Enrols the face of an event under `name`, through the registry's duplicate check. */
  enrolFromEvent(name: string, eventId: string): Promise<EnrolResult>;
  clock: () => number;
  logger: Logger;
}

export function findChat(deps: BotDeps, id: number | undefined): TelegramChatConfig | undefined {
  return id === undefined ? undefined : deps.chats.find((c) => c.id === id);
}
