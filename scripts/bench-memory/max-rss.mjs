// Preloaded into a measured command (node --import): writes the process's peak RSS (KB) when it exits.
import { writeFileSync } from 'node:fs';
process.on('exit', () => {
  if (process.env.AURA_RSS_FILE) writeFileSync(process.env.AURA_RSS_FILE, String(process.resourceUsage().maxRSS));
});
