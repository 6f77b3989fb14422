import { facesAnalyzer } from './faces/index.js';
import { objectAnalyzer } from './object/index.js';
import { personAnalyzer } from './person/index.js';
import { poseAnalyzer } from './pose/index.js';
import { proctorAnalyzer } from './proctor/index.js';
import { weaponAnalyzer } from './weapon/index.js';

/**
 * Every analyzer Argus runs, in the order they see a frame (pose folds its skeletons into the
 * person events before it; proctor reads those skeletons). A new analyzer is a folder with an `index.ts` and one line here.
 */
export const ANALYZERS = [personAnalyzer, weaponAnalyzer, objectAnalyzer, facesAnalyzer, poseAnalyzer, proctorAnalyzer] as const;
