/**
 * The client's TLS settings: what `https://` endpoints are verified against and what they are
 * shown, for every call and stream. Verification of the server's certificate and host name is
 * on unless turned off explicitly.
 */
import * as tls from 'tls';
import { EtcdInvalidArgumentError, EtcdTlsError } from '../errors';
import { Pem } from '../options';

/**
 * Checks the `tls` option, naming what is wrong, and turns it into Node's connection options.
 * @example tlsConnectionOptions({ ca: fs.readFileSync('ca.pem') })
 */
export function tlsConnectionOptions(value: unknown): tls.ConnectionOptions | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null) throw new EtcdInvalidArgumentError(`option tls must be an object { ca, cert, key, … }, got ${typeof value}`);
  const { ca, cert, key, serverName, rejectUnauthorized } = value as Record<string, unknown>;
  const cas = Array.isArray(ca) ? ca : ca === undefined ? [] : [ca];
  cas.forEach((pem, i) => pemOption(pem, Array.isArray(ca) ? `tls.ca[${i}]` : 'tls.ca'));
  if (cert !== undefined) pemOption(cert, 'tls.cert');
  if (key !== undefined) pemOption(key, 'tls.key');
  if ((cert === undefined) !== (key === undefined)) throw new EtcdInvalidArgumentError('options tls.cert and tls.key go together: give both or neither');
  if (serverName !== undefined && (typeof serverName !== 'string' || serverName === ''))
    throw new EtcdInvalidArgumentError('option tls.serverName must be a non-empty string');
  if (rejectUnauthorized !== undefined && typeof rejectUnauthorized !== 'boolean')
    throw new EtcdInvalidArgumentError('option tls.rejectUnauthorized must be true or false');
  return {
    ...(cas.length > 0 ? { ca: cas as Pem[] } : {}),
    ...(cert !== undefined ? { cert: cert as Pem, key: key as Pem } : {}),
    ...(serverName !== undefined ? { servername: serverName } : {}),
    rejectUnauthorized: rejectUnauthorized !== false,
  };
}

function pemOption(value: unknown, name: string): void {
  if (!(typeof value === 'string' || Buffer.isBuffer(value)) || value.length === 0) {
    throw new EtcdInvalidArgumentError(
      `option ${name} must be PEM text (a string or a Buffer), got ${Buffer.isBuffer(value) ? 'an empty Buffer' : typeof value}`,
    );
  }
  if (!value.toString().includes('-----BEGIN '))
    throw new EtcdInvalidArgumentError(`option ${name} is not PEM text (no "-----BEGIN" line): pass the file's content, not its path`);
}

// Node's codes for a certificate it would not accept, an alert the server sent during the
// handshake, or a peer that does not speak TLS at all.
const TLS_CODE = /^ERR_SSL_|^ERR_TLS_|^EPROTO$|CERT|SIGNATURE|ISSUER|HOSTNAME/;

/**
 * The typed error of a TLS failure, or undefined when `error` is something else (a refused
 * connection, say). The server's refusal of a missing client certificate gets a hint.
 * @example const failure = tlsFailure(error, 'https://10.0.0.1:2379'); if (failure) throw failure
 */
export function tlsFailure(error: unknown, endpoint: string, reason?: string): EtcdTlsError | undefined {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code !== 'string' || !TLS_CODE.test(code)) return undefined;
  const why = readable(reason ?? (error as Error).message);
  const hint = /BAD_CERTIFICATE|CERTIFICATE_REQUIRED|HANDSHAKE_FAILURE/.test(code)
    ? ' (the server refused the client certificate, or its absence: it may want tls.cert and tls.key signed by a CA it trusts)'
    : '';
  return new EtcdTlsError(`TLS with ${endpoint} failed: ${why}${hint}`, { endpoint, cause: error, code });
}

/**
 * OpenSSL's own failures come as "<id>:error:<code>:SSL routines:<function>:<reason>:<file>:<line>:
 * SSL alert number 42": the reason and the alert are what a reader needs.
 */
function readable(message: string): string {
  const openssl = /error:[0-9A-F]+:SSL routines:[^:]*:([^:]+):.*?(SSL alert number \d+)?\s*$/s.exec(message);
  if (openssl === null) return message.trim();
  return openssl[2] === undefined ? openssl[1] : `${openssl[1]} (${openssl[2]})`;
}
