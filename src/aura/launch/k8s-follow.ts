// Following an Indexed Job to the end through the API's watch (one long GET with watch=true that streams
// the Job's changes), re-opened when the server closes it: which completion indexes have succeeded or
// failed (status.completedIndexes / failedIndexes, "0-2,5"), whether the Job is Complete or Failed, and
// for a failed index the last lines of its pod's log.
import type { KubeConfig, V1Job } from '@kubernetes/client-node';
import { AuraUserError } from '../errors';

export interface K8sProgress {
  completed: number[];
  failed: number[];
  active: number;
  /** The Job's Complete condition is true: every index succeeded. */
  complete: boolean;
  /** The Job's Failed condition is true (its reason and message). */
  failedJob?: string;
}

/** "0-2,5" -> [0, 1, 2, 5] (the API's compressed index lists). */
export function parseIndexes(s: string | undefined): number[] {
  if (!s) return [];
  const out: number[] = [];
  for (const part of s.split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) continue;
    for (let i = Number(m[1]); i <= Number(m[2] ?? m[1]); i++) out.push(i);
  }
  return out;
}

export function jobProgress(job: V1Job): K8sProgress {
  const st = job.status ?? {};
  const cond = (type: string) => st.conditions?.find((c) => c.type === type && c.status === 'True');
  const failed = cond('Failed');
  return {
    completed: parseIndexes(st.completedIndexes),
    failed: parseIndexes(st.failedIndexes),
    active: st.active ?? 0,
    complete: !!cond('Complete'),
    ...(failed ? { failedJob: `${failed.reason ?? 'Failed'}${failed.message ? `: ${failed.message}` : ''}` } : {}),
  };
}

async function kubeConfig(): Promise<{ kc: KubeConfig; k8s: typeof import('@kubernetes/client-node') }> {
  const k8s = await import('@kubernetes/client-node');
  const kc = new k8s.KubeConfig();
  try {
    kc.loadFromDefault();
  } catch (e) {
    throw new AuraUserError(`--wait: cannot read the kubeconfig ${process.env.KUBECONFIG || '~/.kube/config'}: ${String((e as Error).message).split('\n')[0]}`);
  }
  return { kc, k8s };
}

/** Watches the Job until it is Complete or Failed; `onChange` sees every new state. */
export async function watchIndexedJob(namespace: string, name: string, o: { onChange?: (p: K8sProgress) => void; timeout: number; signal?: AbortSignal }): Promise<K8sProgress> {
  const { kc, k8s } = await kubeConfig();
  const watch = new k8s.Watch(kc);
  const start = Date.now();
  let last: K8sProgress | undefined;
  for (;;) {
    const outcome = await new Promise<K8sProgress | Error | undefined>((resolve) => {
      let settled = false;
      const finish = (v: K8sProgress | Error | undefined) => {
        if (!settled) {
          settled = true;
          resolve(v);
        }
      };
      const opened = watch.watch(`/apis/batch/v1/namespaces/${namespace}/jobs`, { fieldSelector: `metadata.name=${name}` }, (type, obj: V1Job) => {
        if (type === 'DELETED') return finish(new AuraUserError(`job ${namespace}/${name} was deleted before it finished`));
        if (type !== 'ADDED' && type !== 'MODIFIED') return;
        last = jobProgress(obj);
        o.onChange?.(last);
        if (last.complete || last.failedJob) {
          finish(last);
          // The watch would stay open until the server ends it: close it now.
          opened.then((c) => c.abort()).catch(() => undefined);
        }
      }, (err) => finish(err ? (err instanceof Error ? err : new Error(String(err))) : undefined));
      opened.catch((e: unknown) => finish(e instanceof Error ? e : new Error(String(e))));
    });
    if (outcome && !(outcome instanceof Error)) return outcome;
    if (outcome instanceof AuraUserError) throw outcome;
    if (outcome instanceof Error && !last) {
      throw new AuraUserError(`--wait: cannot watch job ${namespace}/${name} at ${kc.getCurrentCluster()?.server ?? '(no cluster)'}: ${outcome.message.split('\n')[0]}`);
    }
    // The server ends watches after a while: reopen, unless stopped or out of time.
    if (o.signal?.aborted) throw new AuraUserError(`--wait: stopped; job ${namespace}/${name} keeps running`);
    if (o.timeout > 0 && Date.now() - start > o.timeout * 1000) throw new AuraUserError(`--wait: --timeout ${o.timeout} s passed before job ${namespace}/${name} finished (it keeps running)`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** The last lines of the log of the pod that ran a completion index (the newest one, after retries). */
export async function indexLogTail(namespace: string, name: string, index: number, lines = 3): Promise<string> {
  const { kc, k8s } = await kubeConfig();
  const core = kc.makeApiClient(k8s.CoreV1Api);
  try {
    const pods = await core.listNamespacedPod({ namespace, labelSelector: `job-name=${name},batch.kubernetes.io/job-completion-index=${index}` });
    const newest = [...pods.items].sort((a, b) => String(b.metadata?.creationTimestamp ?? '').localeCompare(String(a.metadata?.creationTimestamp ?? '')))[0];
    if (!newest?.metadata?.name) return '(no pod found)';
    const log = await core.readNamespacedPodLog({ name: newest.metadata.name, namespace, tailLines: lines });
    return `pod ${newest.metadata.name}: ${String(log).trim().split('\n').slice(-lines).join(' | ')}`;
  } catch (e) {
    return `(its log could not be read: ${String((e as Error).message).split('\n')[0]})`;
  }
}

/** The Job's state now (one GET), for `launch status`. */
export async function readIndexedJob(namespace: string, name: string): Promise<K8sProgress> {
  const { kc, k8s } = await kubeConfig();
  const api = kc.makeApiClient(k8s.BatchV1Api);
  try {
    return jobProgress(await api.readNamespacedJob({ namespace, name }));
  } catch (e) {
    throw new AuraUserError(`job ${namespace}/${name}: cannot be read from ${kc.getCurrentCluster()?.server ?? '(no cluster)'}: ${String((e as Error).message).split('\n')[0]!.slice(0, 200)}`);
  }
}
