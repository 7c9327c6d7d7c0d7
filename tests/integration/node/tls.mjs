// Test TLS material made with the `openssl` CLI in a temporary directory:
//   - a test CA and a server certificate for 127.0.0.1 / localhost signed by it (trusted: the
//     gateway gets the CA as a provider's ca_file);
//   - a second CA, never given to the gateway, and a server certificate signed by it (untrusted).
//
//   const pki = makeTestPki();
//   https.createServer({ key: pki.trusted.key, cert: pki.trusted.cert }, ...)
//   ... ca_file: pki.caFile ...
//   pki.cleanup();

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const OPENSSL_TIMEOUT_MS = 20_000;

export function openssl(args, cwd) {
  try {
    execFileSync('openssl', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], timeout: OPENSSL_TIMEOUT_MS });
  } catch (err) {
    const stderr = err.stderr ? err.stderr.toString() : '';
    throw new Error(`openssl ${args.join(' ')} failed: ${err.message}\n${stderr}`);
  }
}

// A self-signed CA (EC P-256: fast to generate) named `name`, files NAME-ca.{key,crt}.
function makeCa(dir, name) {
  const key = join(dir, `${name}-ca.key`);
  const crt = join(dir, `${name}-ca.crt`);
  openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', key], dir);
  openssl(['req', '-x509', '-new', '-key', key, '-sha256', '-days', '2', '-subj', `/CN=${name} test CA`,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
    '-out', crt], dir);
  return { key, crt };
}

// A server certificate for 127.0.0.1 and localhost signed by `ca`, files NAME-server.{key,crt}.
function makeServerCert(dir, name, ca) {
  const key = join(dir, `${name}-server.key`);
  const csr = join(dir, `${name}-server.csr`);
  const crt = join(dir, `${name}-server.crt`);
  const ext = join(dir, `${name}-server.ext`);
  writeFileSync(ext, [
    'basicConstraints=CA:FALSE',
    'keyUsage=critical,digitalSignature,keyEncipherment',
    'extendedKeyUsage=serverAuth',
    'subjectAltName=IP:127.0.0.1,DNS:localhost',
    '',
  ].join('\n'));
  openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', key], dir);
  openssl(['req', '-new', '-key', key, '-subj', '/CN=127.0.0.1', '-out', csr], dir);
  openssl(['x509', '-req', '-in', csr, '-CA', ca.crt, '-CAkey', ca.key, '-CAcreateserial', '-days', '2',
    '-sha256', '-extfile', ext, '-out', crt], dir);
  return { keyFile: key, certFile: crt };
}

/**
 * Makes the test PKI in a fresh temporary directory.
 * @returns {{dir:string, caFile:string,
 *            trusted:{key:Buffer, cert:Buffer, keyFile:string, certFile:string},
 *            untrusted:{key:Buffer, cert:Buffer, keyFile:string, certFile:string, caFile:string},
 *            cleanup:()=>void}}
 */
export function makeTestPki() {
  const dir = mkdtempSync(join(tmpdir(), 'gw-test-pki-'));
  try {
    const ca = makeCa(dir, 'trusted');
    const good = makeServerCert(dir, 'trusted', ca);
    const rogueCa = makeCa(dir, 'untrusted');
    const rogue = makeServerCert(dir, 'untrusted', rogueCa);
    return {
      dir,
      caFile: ca.crt,
      trusted: { ...good, key: readFileSync(good.keyFile), cert: readFileSync(good.certFile) },
      untrusted: { ...rogue, caFile: rogueCa.crt, key: readFileSync(rogue.keyFile), cert: readFileSync(rogue.certFile) },
      cleanup: () => rmSync(dir, { recursive: true, force: true }),
    };
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}
