// A Kubernetes Indexed Job that runs one profile shard per completion index. Typed with the official
// client's V1Job, so a field the API does not have fails to compile (and the tests round-trip the
// object through the client's serializer). Written as JSON, which kubectl and the API accept as is.
import type { V1Job } from '@kubernetes/client-node';
import { AuraUserError } from '../errors';
import { checkPlan, shardArgs } from './shards-plan';
import { checkImage, checkJobPath, checkQuantity, printable } from './values';
import type { ShardPlan } from './shards-plan';

export interface K8sOptions extends ShardPlan {
  image: string;
  name: string;
  namespace: string;
  /** Pods running at once (default: all shards). */
  parallelism: number;
  /** Retries of one shard before that index fails; the other indexes go on (shards resume where they stopped). */
  backoffLimitPerIndex: number;
  /** A PersistentVolumeClaim every pod mounts at `mount` (ReadWriteMany: all shards write to it). */
  pvc?: string;
  mount: string;
  /** GPUs per pod (nvidia.com/gpu). */
  gpus?: number;
  cpu?: string;
  memory?: string;
}

/** The scheduler's index, expanded by the kubelet in args (the Job controller sets the variable). */
const INDEX = '$(JOB_COMPLETION_INDEX)';

export function indexedJob(o: K8sOptions): V1Job {
  checkPlan(o);
  if (!/^[a-z0-9]([-a-z0-9]{0,50}[a-z0-9])?$/.test(o.name)) throw new AuraUserError(`--name: "${printable(o.name)}" is not a valid Job name (lowercase letters, digits and "-", at most 52 characters)`);
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(o.namespace)) throw new AuraUserError(`--namespace: "${printable(o.namespace)}" is not a valid namespace name`);
  if (o.image.trim() === '') throw new AuraUserError('--image: expected a container image (e.g. ghcr.io/you/aura-lens:cpu)');
  checkImage('--image', o.image);
  if (o.cpu !== undefined) checkQuantity('--cpu', o.cpu, '"2" or "500m"');
  if (o.memory !== undefined) checkQuantity('--memory', o.memory, '"16Gi" or "512Mi"');
  if (o.pvc !== undefined && !/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/.test(o.pvc)) throw new AuraUserError(`--pvc: "${printable(o.pvc)}" is not a valid claim name (lowercase letters, digits, "-" and ".")`);
  checkJobPath('--mount', o.mount);
  const limits: Record<string, string> = {};
  const requests: Record<string, string> = {};
  if (o.gpus) limits['nvidia.com/gpu'] = String(o.gpus);
  if (o.cpu) requests.cpu = o.cpu;
  if (o.memory) {
    requests.memory = o.memory;
    limits.memory = o.memory;
  }
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: o.name, namespace: o.namespace, labels: { 'app.kubernetes.io/name': 'aura-lens', 'app.kubernetes.io/component': 'profile-shard' } },
    spec: {
      completionMode: 'Indexed',
      completions: o.shards,
      parallelism: Math.min(o.parallelism, o.shards),
      backoffLimitPerIndex: o.backoffLimitPerIndex,
      template: {
        metadata: { labels: { 'app.kubernetes.io/name': 'aura-lens', 'app.kubernetes.io/component': 'profile-shard' } },
        spec: {
          // backoffLimitPerIndex requires Never: a failed pod is replaced and the shard resumes from its folder.
          restartPolicy: 'Never',
          containers: [
            {
              name: 'profile',
              image: o.image,
              command: ['aura-lens'],
              args: shardArgs(o, INDEX),
              ...(Object.keys(limits).length || Object.keys(requests).length
                ? { resources: { ...(Object.keys(limits).length ? { limits } : {}), ...(Object.keys(requests).length ? { requests } : {}) } }
                : {}),
              ...(o.pvc ? { volumeMounts: [{ name: 'work', mountPath: o.mount }] } : {}),
            },
          ],
          ...(o.pvc ? { volumes: [{ name: 'work', persistentVolumeClaim: { claimName: o.pvc } }] } : {}),
        },
      },
    },
  };
}

/** Submits through @kubernetes/client-node with the user's kubeconfig ($KUBECONFIG or ~/.kube/config). */
export async function submitJob(job: V1Job, file: string): Promise<void> {
  const k8s = await import('@kubernetes/client-node');
  const kc = new k8s.KubeConfig();
  try {
    kc.loadFromDefault();
  } catch (e) {
    // A KUBECONFIG that names a missing or malformed file is the user's to fix, not our crash.
    const where = process.env.KUBECONFIG || '~/.kube/config';
    throw new AuraUserError(`--submit: cannot read the kubeconfig ${where}: ${String((e as Error).message).split('\n')[0]}; the job file ${file} is written, submit it with "kubectl apply -f ${file}"`);
  }
  const api = kc.makeApiClient(k8s.BatchV1Api);
  try {
    await api.createNamespacedJob({ namespace: job.metadata!.namespace!, body: job });
  } catch (e) {
    const body = (e as { body?: unknown }).body;
    const reason = typeof body === 'string' ? body : body && typeof body === 'object' && 'message' in body ? String((body as { message: unknown }).message) : (e as Error).message;
    throw new AuraUserError(`--submit: the cluster at ${kc.getCurrentCluster()?.server ?? '(no cluster in the kubeconfig)'} refused or could not be reached: ${String(reason).split('\n')[0]!.slice(0, 200)}`);
  }
}
