// Server CPU time for the load generators: far steadier than throughput on a noisy VM.
import { readdirSync, readFileSync } from 'node:fs';

// CPU time of every thread of a process, in ns (from /proc/PID/task/TID/schedstat); null when /proc is unavailable.
export function processCpuNs(pid) {
  if (!pid) return null;
  try {
    let total = 0;
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        total += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
      } catch {
        // thread ended
      }
    }
    return total;
  } catch {
    return null;
  }
}
