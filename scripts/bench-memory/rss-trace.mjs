// Preloaded into a command (node --import) to see where its peak comes from: a worker thread samples
// the process's resident set (/proc/self/status VmRSS) every 50 ms and appends "ms rss anon file" lines (MiB) to
// $AURA_RSS_TRACE; line up the times with the command's stderr (ms since the process started). Linux only.
import { Worker } from 'node:worker_threads';
if (process.env.AURA_RSS_TRACE) {
  const w = new Worker(
    `const { appendFileSync, readFileSync } = require('node:fs');
     const { workerData } = require('node:worker_threads');
     const t0 = workerData.t0;
     setInterval(() => {
       const st = readFileSync('/proc/self/status', 'utf8');
       const kb = (k) => Math.round(Number((st.split('\\n').find((l) => l.startsWith(k + ':')) || ' 0').trim().split(/ +/)[1]) / 1024);
       appendFileSync(workerData.file, Math.round(Date.now() - t0) + ' ' + kb('VmRSS') + ' ' + kb('RssAnon') + ' ' + kb('RssFile') + '\\n');
     }, 50);`,
    { eval: true, workerData: { file: process.env.AURA_RSS_TRACE, t0: Date.now() - process.uptime() * 1000 } },
  );
  w.unref();
}
