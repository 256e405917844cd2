// `scontrol show job -o` as Slurm 22.05 prints it (lines captured from the local Slurm of
// scripts/slurm/start-local.sh), parsed into array tasks; pending records that stand for several tasks
// ("ArrayTaskId=1-2", "3,5", "4-8:2%2") expand to each task.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseShowJob } from '../../src/aura/launch/slurm-client';

const DONE = 'JobId=2 ArrayJobId=1 ArrayTaskId=0 JobName=t.sh UserId=root(0) GroupId=root(0) MCS_label=N/A Priority=4294901759 Nice=0 Account=(null) QOS=(null) JobState=COMPLETED Reason=None Dependency=(null) Requeue=1 Restarts=0 BatchFlag=1 Reboot=0 ExitCode=0:0 RunTime=00:00:01 TimeLimit=UNLIMITED WorkDir=/work StdErr=/tmp/t-1_0.log StdIn=/dev/null StdOut=/tmp/t-1_0.log Power= ';
const FAILED = 'JobId=7 ArrayJobId=5 ArrayTaskId=2 JobName=x JobState=FAILED Reason=NonZeroExitCode Dependency=(null) Requeue=1 Restarts=1 BatchFlag=1 ExitCode=1:0 StdOut=/w/x-5_2.log';
const PENDING = 'JobId=5 ArrayJobId=5 ArrayTaskId=3-5%2 JobName=x JobState=PENDING Reason=JobArrayTaskLimit Restarts=0 ExitCode=0:0 StdOut=/w/x-5_4294967294.log';

describe('parseShowJob', () => {
  it('reads state, reason, exit code, restarts and log per task, in task order', () => {
    assert.deepEqual(parseShowJob([FAILED, DONE].join('\n')), [
      { task: 0, state: 'COMPLETED', reason: 'None', exitCode: '0:0', restarts: 0, stdout: '/tmp/t-1_0.log' },
      { task: 2, state: 'FAILED', reason: 'NonZeroExitCode', exitCode: '1:0', restarts: 1, stdout: '/w/x-5_2.log' },
    ]);
  });
  it('expands a pending record into its tasks', () => {
    assert.deepEqual(parseShowJob(PENDING).map((t) => [t.task, t.state]), [[3, 'PENDING'], [4, 'PENDING'], [5, 'PENDING']]);
    assert.deepEqual(parseShowJob(PENDING.replace('3-5%2', '1,4-8:2')).map((t) => t.task), [1, 4, 6, 8]);
  });
  it('ignores lines that are not job records', () => {
    assert.deepEqual(parseShowJob('\nNo jobs in the system\n'), []);
  });
});
