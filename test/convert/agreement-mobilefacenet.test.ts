import { describeAgreement } from './agreement.js';

describeAgreement('mobilefacenet', { seeds: [1, 2, 3], photos: ['faces/probe/obama1.jpg', 'faces/probe/kit_harington1.jpg'], batchOfTwo: true });
