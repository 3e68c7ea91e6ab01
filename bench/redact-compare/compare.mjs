// Runs npm redactors on corpus.jsonl (written by main.go) and prints one JSON
// line per redactor with the same fields as Confide's: MiB/s on one thread
// (by the wall clock and per second of process CPU time) and recall (a label counts as found when its text no longer appears).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const [corpusPath, modulesDir] = process.argv.slice(2);
const require = createRequire(modulesDir + '/');
const recs = readFileSync(corpusPath, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
const bytes = recs.reduce((n, r) => n + Buffer.byteLength(r.text), 0);

async function load(name) {
  try {
    switch (name) {
      case 'redact-pii': {
        const { SyncRedactor } = require('redact-pii');
        const r = new SyncRedactor();
        return (t) => r.redact(t);
      }
      case '@redactpii/node': {
        const { Redactor } = await import(require.resolve('@redactpii/node'));
        const r = new Redactor();
        return (t) => r.redact(t);
      }
      case '@cdssnc/sanitize-pii': {
        const { sanitizePii } = await import(require.resolve('@cdssnc/sanitize-pii'));
        return (t) => sanitizePii(t);
      }
    }
  } catch (e) {
    return e;
  }
}

const spokenForm = (f) => f.startsWith('spoken') || f === 'split' || f === 'homophone';

for (const name of ['@redactpii/node', 'redact-pii', '@cdssnc/sanitize-pii']) {
  const fn = await load(name);
  if (typeof fn !== 'function') {
    console.log(JSON.stringify({ name, error: String(fn && fn.message ? fn.message : fn) }));
    continue;
  }
  const start = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  const outs = recs.map((r) => fn(r.text));
  const secs = Number(process.hrtime.bigint() - start) / 1e9;
  const used = process.cpuUsage(cpu);
  const cpuSecs = (used.user + used.system) / 1e6;
  const found = {}, total = {};
  let sf = 0, st = 0, f = 0, n = 0;
  recs.forEach((r, i) => {
    for (const l of r.labels || []) {
      const ok = !outs[i].includes(l.text);
      total[l.type] = (total[l.type] || 0) + 1;
      if (ok) found[l.type] = (found[l.type] || 0) + 1;
      if (spokenForm(l.form)) { st++; if (ok) sf++; }
      n++; if (ok) f++;
    }
  });
  const byType = {};
  for (const t of Object.keys(total)) byType[t] = (found[t] || 0) / total[t];
  console.log(JSON.stringify({ name, mib_s: bytes / 1048576 / secs, cpu_mib_s: bytes / 1048576 / cpuSecs, recall: f / n, by_type: byType, spoken_recall: sf / Math.max(st, 1), bytes, seconds: secs }));
}
