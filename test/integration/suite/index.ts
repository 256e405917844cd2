// The entry VS Code calls in the extension host (`run`). Mocha is the usual runner here; this project
// keeps its dependencies small, so the suite files register tests with a minimal runner instead.
import { runRegistered } from './runner';
import './extension.test';

export function run(): Promise<void> {
  return runRegistered();
}
