import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { EtcdBinaryNotFoundError, findEtcdBinary } from '../../src/testing';

describe('findEtcdBinary with ETCD_VERSION', () => {
  let checkout: string;
  let versioned: string;
  beforeAll(() => {
    checkout = fs.mkdtempSync(path.join(os.tmpdir(), 'etcd-rx-binary-'));
    versioned = path.join(checkout, '.etcd', '3.5', 'usr', 'bin', 'etcd');
    fs.mkdirSync(path.dirname(versioned), { recursive: true });
    fs.writeFileSync(versioned, '#!/bin/sh\n', { mode: 0o755 });
    fs.mkdirSync(path.join(checkout, 'spec', 'unit'), { recursive: true });
  });
  afterAll(() => fs.rmSync(checkout, { recursive: true, force: true }));

  it('picks .etcd/<version>/usr/bin/etcd of the checkout, from any directory inside it', () => {
    expect(findEtcdBinary(undefined, { ETCD_VERSION: '3.5', PATH: '/nonexistent' }, checkout)).toBe(versioned);
    expect(findEtcdBinary(undefined, { ETCD_VERSION: '3.5', PATH: '/nonexistent' }, path.join(checkout, 'spec', 'unit'))).toBe(versioned);
  });

  it('lets the etcdBin option and ETCD_BIN win over ETCD_VERSION, and takes 3.4 from PATH', () => {
    const other = path.join(checkout, 'other-etcd');
    fs.writeFileSync(other, '#!/bin/sh\n', { mode: 0o755 });
    expect(findEtcdBinary(undefined, { ETCD_VERSION: '3.5', ETCD_BIN: other }, checkout)).toBe(other);
    expect(findEtcdBinary(other, { ETCD_VERSION: '3.5' }, checkout)).toBe(other);
    expect(findEtcdBinary(undefined, { ETCD_VERSION: '3.4', PATH: path.dirname(versioned) }, os.tmpdir())).toBe(versioned);
  });

  it('says how to get a version that is missing, and refuses a version that is not major.minor', () => {
    expect(() => findEtcdBinary(undefined, { ETCD_VERSION: '3.6' }, checkout)).toThrow(EtcdBinaryNotFoundError);
    expect(() => findEtcdBinary(undefined, { ETCD_VERSION: '3.6' }, checkout)).toThrow(
      /ETCD_VERSION=3\.6 but there is no \.etcd\/3\.6\/usr\/bin\/etcd.*ensure-etcd\.sh/,
    );
    expect(() => findEtcdBinary(undefined, { ETCD_VERSION: 'latest' }, checkout)).toThrow(/ETCD_VERSION=latest is not a major\.minor version/);
  });
});
