import { z } from 'zod';
import { scheduleEntry } from '../analyzer.js';

/** Every cue's options: on or off, and how long its condition must hold before it is an incident. */
const cueBase = (seconds: number) => ({ enabled: z.boolean().default(true), seconds: z.number().min(0).default(seconds) });

/** `analyzers.proctor`; documented in docs/proctoring.md. */
export const proctorSchema = z
  .object({
    /** T: a pixel is the person's when its mean |ΔR,ΔG,ΔB| from the empty seat exceeds this (the paper: 45–50 best). */
    threshold: z.number().min(0).max(255).default(45),
    /**
     * The k-NN's feature vector: the paper's 18 ratios, or those joined by the seat's normalised pose
     * vector (34 more; docs/proctoring.md compares both). Takes effect at the next training.
     */
    features: z.enum(['ratios', 'ratios_pose']).default('ratios'),
    /** k of the k-NN vote when no trained classifier says otherwise (the paper: 3 was best). */
    k: z.number().int().min(1).max(99).default(3),
    /** An incident ends once its condition has been false this long (a single missed frame does not split it). */
    clear_seconds: z.number().min(0).default(1.5),
    cues: z
      .object({
        /** Nobody in the seat since the session began. */
        absent: z.object(cueBase(5)).strict().prefault({}),
        /** The seat empty after someone sat in it. */
        left_seat: z.object(cueBase(5)).strict().prefault({}),
        /** Two people, or two faces, in one seat; `min_score` for the second one. */
        extra_person: z
          .object({ ...cueBase(2), min_score: z.number().min(0).max(1).default(0.5) })
          .strict()
          .prefault({}),
        /** COCO `cell phone` in the seat at or above `min_score`. */
        phone: z
          .object({ ...cueBase(1), min_score: z.number().min(0).max(1).default(0.35) })
          .strict()
          .prefault({}),
        /** Head turned left or right by at least `angle` degrees. */
        looking_away: z
          .object({ ...cueBase(3), angle: z.number().min(0).max(90).default(45) })
          .strict()
          .prefault({}),
        /** Head bowed by at least `angle` degrees. */
        looking_down: z
          .object({ ...cueBase(5), angle: z.number().min(0).max(90).default(25) })
          .strict()
          .prefault({}),
        /** The seated face is someone other than the seat's candidate, or stays unknown. */
        not_candidate: z.object(cueBase(5)).strict().prefault({}),
        /** The trained k-NN says `suspicious` with at least `min_score` of the vote. */
        suspicious: z
          .object({ ...cueBase(2), min_score: z.number().min(0).max(1).default(0.6) })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),
  })
  .strict();

/** A seat: a named polygon (pixels at detect size, or fractions of the frame), and who should sit in it. */
const seatSchema = z
  .object({
    name: z.string().regex(/^[A-Za-z0-9_-]{1,32}$/, 'seat names use letters, digits, _ and - (at most 32)'),
    coordinates: z.array(z.tuple([z.number(), z.number()])).min(3, 'a seat polygon needs at least 3 points'),
    /** A name from the face registry. */
    candidate: z.string().optional(),
  })
  .strict();

/** Per camera, beside `enabled`, `schedule` and `required_zones`. */
export const proctorCameraShape = {
  /** The seats; none means the whole frame is one seat (a webcam per candidate). */
  seats: z.array(seatSchema).default([]),
  /** Windows (`mon-fri 09:00-12:00`) in which an exam session starts by itself and at whose end it stops. */
  sessions: z.array(scheduleEntry).default([]),
};

export type ProctorConfig = z.infer<typeof proctorSchema>;
export type SeatConfig = z.infer<typeof seatSchema>;
export type ProctorCameraConfig = { seats: SeatConfig[]; sessions: string[] };
export type CueName = keyof ProctorConfig['cues'];
export const CUES: readonly CueName[] = ['absent', 'left_seat', 'extra_person', 'phone', 'looking_away', 'looking_down', 'not_candidate', 'suspicious'];
