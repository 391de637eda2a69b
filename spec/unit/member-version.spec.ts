import { hashKvOverGateway, parseMemberVersion, websocketWatchAuth } from '../../src/resilience/member-version';

const version = (text: string) => parseMemberVersion(text) ?? fail(`not a version: ${text}`);

describe('choices made from a member version', () => {
  it('reads the version a status answers, and refuses what is not one', () => {
    expect(parseMemberVersion('3.5.30')).toEqual({ major: 3, minor: 5, patch: 30 });
    expect(parseMemberVersion('v3.6.0-rc.1')).toEqual({ major: 3, minor: 6, patch: 0 });
    expect(parseMemberVersion('')).toBeUndefined();
    expect(parseMemberVersion('3.5')).toBeUndefined();
  });

  it('authenticates WebSocket watches from 3.5.32, 3.6.13 and 3.7.0 only', () => {
    const answers = ['3.4.23', '3.4.99', '3.5.30', '3.5.31', '3.5.32', '3.6.0', '3.6.12', '3.6.13', '3.7.0', '4.0.0'].map((v) => [
      v,
      websocketWatchAuth(version(v)),
    ]);
    expect(answers).toEqual([
      ['3.4.23', false],
      ['3.4.99', false],
      ['3.5.30', false],
      ['3.5.31', false],
      ['3.5.32', true],
      ['3.6.0', false],
      ['3.6.12', false],
      ['3.6.13', true],
      ['3.7.0', true],
      ['4.0.0', true],
    ]);
  });

  it('asks HashKV over the gateway from 3.5, over gRPC of 3.4', () => {
    expect(['3.4.23', '3.5.30', '3.6.0', '3.7.1'].map((v) => hashKvOverGateway(version(v)))).toEqual([false, true, true, true]);
  });
});
