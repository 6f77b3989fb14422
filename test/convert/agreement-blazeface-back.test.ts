import { describeAgreement } from './agreement.js';

describeAgreement('blazeface-back', { seeds: [1, 2, 3], photos: ['faces/probe/obama_and_biden.jpg', 'people/group-3.jpg'] });
