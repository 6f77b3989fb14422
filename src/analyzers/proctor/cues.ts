import type { CueName, ProctorConfig } from './config.js';
import type { HeadDirection } from './head-direction.js';

/** What one frame shows in one seat: the facts the cues are read from. */
export interface SeatObservation {
  /** Person scores in the seat, surest first. */
  persons: number[];
  /** Face scores in the seat, surest first (empty where no face model runs). */
  faces: number[];
  /** The seated head's direction, from its face or its pose; null when neither shows it. */
  head: HeadDirection | null;
  /** Who the seated face is: a registry name, null for a stranger, undefined when not checked. */
  identity?: string | null;
  /** The surest `cell phone` in the seat (0: none). */
  phone: number;
  /** The k-NN's verdict on the seat's silhouette, when a classifier is trained. */
  knn: { label: string; score: number } | null;
}

export interface CueState {
  active: boolean;
  score: number;
}

const off: CueState = { active: false, score: 0 };

/**
 * Each cue's condition in one frame. `everOccupied`: someone sat in the seat since the session
 * began, which tells `absent` (never came) from `left_seat` (came and went).
 */
export function readCues(o: SeatObservation, config: ProctorConfig, everOccupied: boolean, candidate?: string): Record<CueName, CueState> {
  const c = config.cues;
  const occupied = o.persons.length > 0 || o.faces.length > 0;
  const yaw = o.head ? Math.abs(o.head.yaw) : null;
  const pitch = o.head?.pitch ?? null;
  const second = Math.max(o.persons[1] ?? 0, o.faces[1] ?? 0);
  const state = (on: boolean, enabled: boolean, score: number): CueState => (on && enabled ? { active: true, score: Math.min(1, Math.max(0, score)) } : off);
  return {
    absent: state(!occupied && !everOccupied, c.absent.enabled, 1),
    left_seat: state(!occupied && everOccupied, c.left_seat.enabled, 1),
    extra_person: state(second >= c.extra_person.min_score, c.extra_person.enabled, second),
    phone: state(o.phone >= c.phone.min_score, c.phone.enabled, o.phone),
    looking_away: state(yaw !== null && yaw >= c.looking_away.angle, c.looking_away.enabled, yaw === null ? 0 : yaw / 90),
    looking_down: state(pitch !== null && pitch >= c.looking_down.angle, c.looking_down.enabled, pitch === null ? 0 : pitch / 90),
    // Only where a candidate is named and the face was checked: an unchecked face proves nothing.
    not_candidate: state(candidate !== undefined && o.identity !== undefined && o.faces.length > 0 && o.identity !== candidate, c.not_candidate.enabled, 1),
    suspicious: state(o.knn?.label === 'suspicious' && o.knn.score >= c.suspicious.min_score, c.suspicious.enabled, o.knn?.score ?? 0),
  };
}
