// The model process: one ModelWork, driven by messages from ProcessModelHost over the IPC channel
// (the loop is serve.ts). Bundled to dist/model-process.js; under tests it is started from source
// with `--import tsx`.
import { ModelWork } from './model-work';
import { serve } from './serve';

serve(new ModelWork());
