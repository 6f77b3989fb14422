import { describeAgreement } from './agreement.js';

// TFJS's CPU backend needs ~8 s a run here: two seeds and two photos.
describeAgreement('centernet', { seeds: [1, 2], photos: ['people/group-6.jpg', 'people/stock-group-2.jpg'] });
