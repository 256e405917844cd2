// Profile on a Cluster: the open model and a dataset profiled as a Slurm job array from the machine the
// workspace runs on (the login node, under Remote-SSH: the extension runs in the workspace's extension
// host), followed in the status bar and a progress notification, and opened in the panel once merged.
// The same modules as `aura-lens launch slurm --submit --wait`; the nodes run this extension's bundled CLI
// unless aura.cluster.cli names another (an Apptainer image, a module-loaded install).
import * as vscode from 'vscode';
import { join } from 'node:path';
import { waitForJob } from '../aura/launch/follow';
import { sbatchScript } from '../aura/launch/slurm';
import { shellQuote } from '../aura/launch/shards-plan';
import { mergeJob, submitSlurm } from '../aura/launch/submit';
import { atomicWriteFile } from '../aura/atomic-write';
import { currentConfig } from '../host/vscode/config';
import { ensureModel } from './ensure-model';
import { openProfileFolder } from './open-profile-folder';
import type { CommandContext } from './context';

/** The bundled CLI as the nodes run it: VS Code's own Node (Electron run as Node) and dist/cli.js. */
function bundledCli(ctx: CommandContext): string {
  return `env ELECTRON_RUN_AS_NODE=1 ${shellQuote(process.execPath)} ${shellQuote(vscode.Uri.joinPath(ctx.extensionUri, 'dist', 'cli.js').fsPath)}`;
}

export async function profileOnCluster(ctx: CommandContext, data?: vscode.Uri): Promise<void> {
  const model = await ensureModel(ctx);
  if (!model) return;
  const file = data ?? (await vscode.window.showOpenDialog({ canSelectMany: false, openLabel: 'Profile on the Cluster', title: 'AurA: labelled examples for the cluster profile', filters: { 'Labelled text': ['jsonl', 'ndjson', 'csv', 'tsv'], 'All files': ['*'] } }))?.[0];
  if (!file) return;
  const shardsText = await vscode.window.showInputBox({
    title: 'AurA: profile on a Slurm cluster',
    prompt: 'Number of array tasks (shards); each profiles a slice of the data and resumes if requeued',
    value: '4',
    validateInput: (s) => (/^\d+$/.test(s) && Number(s) >= 1 && Number(s) <= 10_000 ? undefined : 'a whole number from 1 to 10000'),
  });
  if (!shardsText) return;
  const root = (await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, openLabel: 'Shards Here', title: 'AurA: a folder on storage every node can write (the shards and the merged profile go under it)' }))?.[0];
  if (!root) return;
  const cluster = currentConfig().cluster;
  const out = join(root.fsPath, `aura-profile-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  const name = 'aura-lens-profile';
  const options = {
    model: model.path,
    data: file.fsPath,
    out,
    shards: Number(shardsText),
    profileArgs: [] as string[],
    name,
    cli: cluster.cli || bundledCli(ctx),
    ...(cluster.partition ? { partition: cluster.partition } : {}),
    ...(cluster.time ? { time: cluster.time } : {}),
  };
  const script = join(root.fsPath, `${name}-${Date.now()}.sbatch`);
  await atomicWriteFile(script, sbatchScript(options));
  const record = await submitSlurm(script, { out, shards: options.shards, name, submitDir: root.fsPath });
  ctx.log.info(`profile on a cluster: submitted job ${record.jobId} (${options.shards} tasks) from ${script}; shards under ${out}`);
  const bar = vscode.window.createStatusBarItem(vscode.StatusBarAlignment.Left, 10);
  bar.text = `$(server-process) AurA job ${record.jobId}: submitted`;
  bar.tooltip = `Slurm job ${record.jobId}: ${options.shards} profile shards under ${out}`;
  bar.show();
  try {
    const merged = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `AurA: Slurm job ${record.jobId}`, cancellable: true }, async (progress, token) => {
      const stop = new AbortController();
      token.onCancellationRequested(() => stop.abort());
      let reported = 0;
      await waitForJob(record, {
        poll: 5,
        retries: 2,
        timeout: 0,
        signal: stop.signal,
        onChange: (tasks, event) => {
          const done = tasks.filter((t) => t.complete).length;
          const running = tasks.filter((t) => t.state === 'RUNNING').length;
          bar.text = `$(server-process) AurA job ${record.jobId}: ${done}/${options.shards} shards`;
          const share = (100 * done) / options.shards;
          progress.report({ message: `${done} of ${options.shards} shards complete, ${running} running${event ? ` — ${event}` : ''}`, increment: share - reported });
          reported = share;
          if (event) ctx.log.info(`job ${record.jobId}: ${event}`);
        },
      });
      progress.report({ message: 'merging the shards' });
      bar.text = `$(server-process) AurA job ${record.jobId}: merging`;
      return (await mergeJob(record, stop.signal)).merged;
    });
    await openProfileFolder(ctx, vscode.Uri.file(merged));
  } finally {
    bar.dispose();
  }
}
