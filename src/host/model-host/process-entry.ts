// The model process: one ModelWork, driven by messages from ProcessModelHost over the IPC channel
// (the loop is serve.ts). Bundled to dist/model-process.js; under tests it is started from source
// with `--import tsx`. Started with VERIFY_FLAG and a path, it only checks that onnxruntime loads
// that model file (verify-child.ts) and exits.
import { ModelWork } from './model-work';
import { serve } from './serve';
import { VERIFY_FLAG, verifyHere } from './verify-child';

if (process.argv[2] === VERIFY_FLAG && process.argv[3]) void verifyHere(process.argv[3]);
else serve(new ModelWork());
