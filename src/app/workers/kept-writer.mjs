// Worker bootstrap: registers tsx (on Node 20 a worker does not inherit the
// main thread's module hooks) and loads the TypeScript worker body.
import { register } from 'tsx/esm/api';

register();
await import('./kept-writer-worker.ts');
