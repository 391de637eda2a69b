/**
 * What a member's etcd version says about how to talk to it, decided per member from the
 * `version` its status answers (e.g. "3.5.30"), never guessed from an error.
 */

/** An etcd server version, as a member's status reports it. */
export interface MemberVersion {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
}

/**
 * Reads "3.5.30" (or "3.6.0-rc.1", "v3.4.23"); undefined for anything else, such as the empty
 * version of a status that could not be read.
 * @example parseMemberVersion('3.5.30') // { major: 3, minor: 5, patch: 30 }
 */
export function parseMemberVersion(text: string): MemberVersion | undefined {
  const match = /^v?(\d+)\.(\d+)\.(\d+)/.exec(text.trim());
  return match === null ? undefined : { major: Number(match[1]), minor: Number(match[2]), patch: Number(match[3]) };
}

/** Whether `version` is `minimum` or newer. */
function atLeast(version: MemberVersion, major: number, minor: number, patch: number): boolean {
  if (version.major !== major) return version.major > major;
  if (version.minor !== minor) return version.minor > minor;
  return version.patch >= patch;
}

/**
 * Whether the member's WebSocket gateway passes a token sent as `Sec-WebSocket-Protocol:
 * Bearer, <token>` on to etcd: from 3.5.32 in 3.5, from 3.6.13 in 3.6, in every 3.7 and later.
 * Otherwise a client with credentials must watch over HTTP streams.
 * @example websocketWatchAuth(parseMemberVersion('3.5.30')!) // false
 */
export function websocketWatchAuth(version: MemberVersion): boolean {
  if (version.major !== 3) return version.major > 3;
  if (version.minor === 5) return version.patch >= 32;
  if (version.minor === 6) return version.patch >= 13;
  return version.minor >= 7;
}

/**
 * Whether the member's gateway serves `/v3/maintenance/hashkv`: 3.5 and later (measured on
 * 3.5.30; documented for 3.6); 3.4 members are asked HashKV over gRPC.
 * @example hashKvOverGateway(parseMemberVersion('3.4.23')!) // false
 */
export function hashKvOverGateway(version: MemberVersion): boolean {
  return atLeast(version, 3, 5, 0);
}

/**
 * What carries a client's watches on a member: a WebSocket (one socket for all of them), unless
 * the client authenticates and the member's gateway cannot pass a token on a WebSocket (or its
 * version is unknown), when each watch is an HTTP stream carrying the `Authorization` header.
 * @example watchTransportFor(parseMemberVersion('3.5.30'), true) // 'http'
 */
export function watchTransportFor(version: MemberVersion | undefined, authenticated: boolean): 'websocket' | 'http' {
  if (!authenticated) return 'websocket';
  return version !== undefined && websocketWatchAuth(version) ? 'websocket' : 'http';
}
