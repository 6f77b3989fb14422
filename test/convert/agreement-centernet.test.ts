import { describeAgreement } from './agreement.js';

// TFJS's CPU backend needs ~8 s a run here (more when the machine is busy): two seeds and a photo.
describeAgreement('centernet', { seeds: [1, 2], photos: ['people/group-6.jpg'] });
