import { describeAgreement } from './agreement.js';

describeAgreement('faceres', { seeds: [1, 2], photos: ['faces/probe/obama1.jpg', 'faces/probe/kit_harington1.jpg'], batchOfTwo: true });
