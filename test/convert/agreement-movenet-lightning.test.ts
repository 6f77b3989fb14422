import { describeAgreement } from './agreement.js';

describeAgreement('movenet-lightning', { seeds: [1, 2, 3], photos: ['people/ai-body.jpg', 'people/stock-group-2.jpg'] });
