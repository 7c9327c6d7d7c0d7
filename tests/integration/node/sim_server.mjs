// A local inference server for the integration tests: another inference-gateway on the sim
// engine, spawned here (not by startGateway) so that a test can SIGKILL it and start another on
// the same port. Every one still alive is killed when the test process exits or is signalled.

import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { GATEWAY_BIN, deadline } from './harness.mjs';

export const simServers = new Set();
const killAll = () => { for (const b of simServers) b.child.kill('SIGKILL'); };
process.on('exit', killAll);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.once(sig, killAll);

// Starts a server for `model` (its own id for the model) on the deepseek preset at `timeScale`,
// its config written to DIR/NAME.yaml. Resolves to {child, port, url, output, kill()}.
export async function startSimServer({ dir, name, model, timeScale = 1, port = 0 }) {
  const configPath = join(dir, `${name}.yaml`);
  writeFileSync(configPath, `
server: {listen: 127.0.0.1:0}
log: {level: info}
models:
  - id: ${model}
    preset: deepseek-r1-w8a8-2node
    sim: {time_scale: ${timeScale}, reasoning: false}
`);
  const child = spawn(GATEWAY_BIN, ['--config', configPath, '--listen', `127.0.0.1:${port}`], { stdio: ['ignore', 'pipe', 'pipe'] });
  const b = { child, output: '' };
  simServers.add(b);
  const exited = new Promise((resolve) => child.once('exit', () => { simServers.delete(b); resolve(); }));
  try {
    b.port = await new Promise((resolve, reject) => {
      const onData = (c) => {
        const m = /listening on 127\.0\.0\.1:(\d+) \(/.exec(b.output += c.toString('utf8'));
        if (m) resolve(Number(m[1]));
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      child.once('error', reject);
      exited.then(() => reject(new Error('exited before listening')));
      deadline(10_000).then(() => reject(new Error('no "listening on" line within 10 s')));
    });
  } catch (err) {
    child.kill('SIGKILL');
    throw new Error(`local server ${name} (port ${port}): ${err.message}\n${b.output}`);
  }
  b.url = `http://127.0.0.1:${b.port}/v1`;
  b.kill = async () => { child.kill('SIGKILL'); await Promise.race([exited, deadline(5_000)]); };
  return b;
}
