// Server certificates that must fail verification, each for exactly one reason, made with the
// `openssl` CLI in a temporary directory. One CA (given to the gateway as the providers' ca_file)
// signs a good certificate for 127.0.0.1 (the control: proves the CA itself works), one for the
// wrong host name, and one that has expired; a fourth is self-signed.
//
//   const bad = makeFaultyCerts();
//   startFakeUpstream({ key: bad.expired.key, cert: bad.expired.cert }) ... ca_file: bad.caFile
//   bad.cleanup();

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { openssl } from './tls.mjs';

const SERVER_EXT = (san) => [
  'basicConstraints=CA:FALSE',
  'keyUsage=critical,digitalSignature,keyEncipherment',
  'extendedKeyUsage=serverAuth',
  `subjectAltName=${san}`,
  '',
].join('\n');

function newKey(dir, name) {
  const key = join(dir, `${name}.key`);
  openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', key], dir);
  return key;
}

// A certificate for `san` signed by the CA; `days` -1 makes one whose notAfter is a day in the
// past (OpenSSL 3 accepts a negative -days), i.e. expired.
function signed(dir, name, ca, san, days) {
  const key = newKey(dir, name);
  const csr = join(dir, `${name}.csr`);
  const crt = join(dir, `${name}.crt`);
  const ext = join(dir, `${name}.ext`);
  writeFileSync(ext, SERVER_EXT(san));
  openssl(['req', '-new', '-key', key, '-subj', '/CN=127.0.0.1', '-out', csr], dir);
  openssl(['x509', '-req', '-in', csr, '-CA', ca.crt, '-CAkey', ca.key, '-CAcreateserial', '-days', String(days),
    '-sha256', '-extfile', ext, '-out', crt], dir);
  return { key: readFileSync(key), cert: readFileSync(crt) };
}

/**
 * @returns {{caFile:string, good:{key:Buffer,cert:Buffer}, wrongHost:{key:Buffer,cert:Buffer},
 *            expired:{key:Buffer,cert:Buffer}, selfSigned:{key:Buffer,cert:Buffer}, cleanup:()=>void}}
 */
export function makeFaultyCerts() {
  const dir = mkdtempSync(join(tmpdir(), 'gw-faulty-tls-'));
  try {
    const ca = { key: newKey(dir, 'ca'), crt: join(dir, 'ca.crt') };
    openssl(['req', '-x509', '-new', '-key', ca.key, '-sha256', '-days', '2', '-subj', '/CN=faults test CA',
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
      '-out', ca.crt], dir);
    const good = signed(dir, 'good', ca, 'IP:127.0.0.1,DNS:localhost', 2);
    const wrongHost = signed(dir, 'wrong-host', ca, 'DNS:wrong-host.example', 2);
    const expired = signed(dir, 'expired', ca, 'IP:127.0.0.1,DNS:localhost', -1);
    const selfKey = newKey(dir, 'self');
    const selfCrt = join(dir, 'self.crt');
    openssl(['req', '-x509', '-new', '-key', selfKey, '-sha256', '-days', '2', '-subj', '/CN=127.0.0.1',
      '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost', '-out', selfCrt], dir);
    return {
      caFile: ca.crt,
      good,
      wrongHost,
      expired,
      selfSigned: { key: readFileSync(selfKey), cert: readFileSync(selfCrt) },
      cleanup: () => rmSync(dir, { recursive: true, force: true }),
    };
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}
