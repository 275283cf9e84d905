// Worker threads start here: tsx is registered in the worker itself (as in cli/loadlab.js), since
// loaders of the parent thread do not carry over.
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
