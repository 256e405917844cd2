// Submitting the array through slurmrestd (Slurm's REST API, JWT auth) instead of sbatch, for sites that
// offer the API and no login shell. slurmrestd does not read the script's #SBATCH lines, so the job's
// properties travel as JSON fields (OpenAPI plugin v0.0.38, Slurm 22.05; later plugins renamed fields).
// The token is the one `scontrol token` prints (SLURM_JWT=...), as Slurm's own documentation has it.
import { userInfo } from 'node:os';
import { AuraUserError } from '../errors';
import type { SlurmOptions } from './slurm';

export const REST_API = 'v0.0.38';

export interface RestTarget {
  url: string;
  user: string;
  token: string;
}

/** The REST endpoint from --rest-url (or SLURMRESTD_URL) and the JWT from SLURM_JWT; a one-line error if either is missing. */
export function restTarget(url: string | undefined, env: NodeJS.ProcessEnv = process.env): RestTarget {
  const base = url ?? env.SLURMRESTD_URL;
  if (!base) throw new AuraUserError('--submit-via rest: give --rest-url http://HOST:PORT (or set SLURMRESTD_URL) for slurmrestd');
  let parsed: URL;
  try {
    parsed = new URL(base);
  } catch {
    throw new AuraUserError(`--rest-url: expected an http(s) URL of slurmrestd, got ${JSON.stringify(base)}`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new AuraUserError(`--rest-url: expected http:// or https://, got ${JSON.stringify(base)}`);
  const token = env.SLURM_JWT;
  if (!token) throw new AuraUserError('--submit-via rest: SLURM_JWT is not set; get a token with `export $(scontrol token)`');
  return { url: parsed.toString().replace(/\/+$/, ''), user: env.SLURM_USER_NAME || userInfo().username, token };
}

/** Slurm's time formats ("MM", "MM:SS", "HH:MM:SS", "D-HH", "D-HH:MM", "D-HH:MM:SS") in whole minutes, rounded up. */
export function slurmMinutes(t: string): number {
  const m = /^(?:(\d+)-)?(\d+)(?::(\d+))?(?::(\d+))?$/.exec(t);
  if (!m) throw new AuraUserError(`--time: "${t}" is not a Slurm time (MM, HH:MM:SS, D-HH:MM:SS ...)`);
  const [, d, a, b, c] = m;
  let seconds: number;
  if (d !== undefined) seconds = Number(d) * 86400 + Number(a) * 3600 + Number(b ?? 0) * 60 + Number(c ?? 0);
  else if (c !== undefined) seconds = Number(a) * 3600 + Number(b) * 60 + Number(c);
  else if (b !== undefined) seconds = Number(a) * 60 + Number(b);
  else seconds = Number(a) * 60;
  return Math.ceil(seconds / 60);
}

/** Slurm's memory sizes ("4000", "16G", "512M") in MiB. */
export function slurmMegabytes(mem: string): number {
  const m = /^(\d+)([KMGT]?)B?$/i.exec(mem);
  if (!m) throw new AuraUserError(`--mem: "${mem}" is not a Slurm size (e.g. 16G or 4000M)`);
  const scale: Record<string, number> = { '': 1, K: 1 / 1024, M: 1, G: 1024, T: 1024 * 1024 };
  return Math.ceil(Number(m[1]) * scale[m[2]!.toUpperCase()]!);
}

/** The JSON body of POST /slurm/v0.0.38/job/submit for the array that `sbatchScript(o)` describes. */
export function restJobBody(o: SlurmOptions, script: string, cwd: string, env: NodeJS.ProcessEnv): Record<string, unknown> {
  const throttle = o.parallelism && o.parallelism < o.shards ? `%${o.parallelism}` : '';
  const environment: Record<string, string> = {};
  // As sbatch's default --export=ALL, less the token itself.
  for (const [k, v] of Object.entries(env)) if (v !== undefined && k !== 'SLURM_JWT') environment[k] = v;
  const job: Record<string, unknown> = {
    name: o.name,
    array: `0-${o.shards - 1}${throttle}`,
    current_working_directory: cwd,
    standard_output: `${cwd}/${o.name}-%A_%a.log`,
    requeue: true,
    environment,
  };
  if (o.partition) job.partition = o.partition;
  if (o.time) job.time_limit = slurmMinutes(o.time);
  if (o.cpus) job.cpus_per_task = o.cpus;
  if (o.mem) job.memory_per_node = slurmMegabytes(o.mem);
  if (o.gpus) job.tres_per_node = `gres:gpu:${o.gpus}`;
  return { script, job };
}

export async function restSubmit(t: RestTarget, body: Record<string, unknown>): Promise<string> {
  let res: Response;
  try {
    res = await fetch(`${t.url}/slurm/${REST_API}/job/submit`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'X-SLURM-USER-NAME': t.user, 'X-SLURM-USER-TOKEN': t.token },
      body: JSON.stringify(body),
    });
  } catch (e) {
    throw new AuraUserError(`--rest-url ${t.url}: slurmrestd could not be reached (${(e as Error).cause instanceof Error ? ((e as Error).cause as Error).message : (e as Error).message})`);
  }
  const text = await res.text();
  let j: { job_id?: unknown; errors?: Array<{ error?: string; description?: string }> } = {};
  try {
    j = JSON.parse(text) as typeof j;
  } catch {
    // slurmrestd answers a failed authentication in plain text.
  }
  const err = j.errors?.find((e) => e.error || e.description);
  if (!res.ok || err || typeof j.job_id !== 'number') {
    const why = err ? `${err.error ?? ''} ${err.description ?? ''}`.trim() : text.trim().split('\n')[0]!.slice(0, 200) || `HTTP ${res.status}`;
    throw new AuraUserError(`slurmrestd ${t.url} refused the job (HTTP ${res.status}): ${why}`);
  }
  return String(j.job_id);
}
