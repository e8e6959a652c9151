import { ConfigError, loadConfig } from '../config';
import { s3ConfigFrom } from './s3-config';

const base = { VIGIL_S3_BUCKET: 'vigil-screens' };

describe('S3 settings (VIGIL_S3_*)', () => {
  it('keeps screenshots on disk when no bucket is set', () => {
    expect(loadConfig({ VIGIL_DATA_DIR: '/srv/vigil' }, '/').s3).toBeNull();
  });

  it('reads a self-hosted store with defaults a server needs', () => {
    expect(
      s3ConfigFrom({
        ...base,
        VIGIL_S3_ENDPOINT: 'https://minio.trust.example:9000/',
        VIGIL_S3_ACCESS_KEY_ID: 'vigil',
        VIGIL_S3_SECRET_ACCESS_KEY: 'secret',
        VIGIL_S3_PREFIX: 'console-1',
      }),
    ).toEqual({
      endpoint: 'https://minio.trust.example:9000',
      region: 'us-east-1',
      bucket: 'vigil-screens',
      prefix: 'console-1/',
      forcePathStyle: true,
      credentials: { accessKeyId: 'vigil', secretAccessKey: 'secret' },
      serverSideEncryption: null,
      kmsKeyId: null,
      timeoutMs: 20_000,
      maxAttempts: 3,
    });
  });

  it('on AWS itself: the region from AWS_REGION, virtual-hosted style, the SDK credential chain, SSE', () => {
    expect(
      s3ConfigFrom({ ...base, AWS_REGION: 'eu-west-2', VIGIL_S3_SSE: 'aws:kms', VIGIL_S3_SSE_KMS_KEY_ID: 'k1' }),
    ).toMatchObject({
      endpoint: null,
      region: 'eu-west-2',
      forcePathStyle: false,
      credentials: null,
      serverSideEncryption: 'aws:kms',
      kmsKeyId: 'k1',
    });
  });

  it.each([
    [
      'a stray variable without a bucket',
      { VIGIL_S3_ENDPOINT: 'http://minio:9000' },
      /VIGIL_S3_ENDPOINT is set but VIGIL_S3_BUCKET is not/,
    ],
    ['a bad bucket name', { VIGIL_S3_BUCKET: 'Vigil_Screens' }, /VIGIL_S3_BUCKET must be an S3 bucket name/],
    ['an endpoint that is not a URL', { ...base, VIGIL_S3_ENDPOINT: 'minio:9000x' }, /VIGIL_S3_ENDPOINT must/],
    [
      'an endpoint of another scheme',
      { ...base, VIGIL_S3_ENDPOINT: 'ftp://minio' },
      /VIGIL_S3_ENDPOINT must start with https/,
    ],
    ['keys in the endpoint', { ...base, VIGIL_S3_ENDPOINT: 'https://ak:sk@minio' }, /must not carry credentials/],
    ['a path in the endpoint', { ...base, VIGIL_S3_ENDPOINT: 'https://minio/bucket' }, /no path/],
    ['no region on AWS', { ...base }, /VIGIL_S3_REGION is required/],
    ['a key without its secret', { ...base, AWS_REGION: 'eu-west-2', VIGIL_S3_ACCESS_KEY_ID: 'ak' }, /Set both/],
    ['a bad prefix', { ...base, AWS_REGION: 'eu-west-2', VIGIL_S3_PREFIX: '../up' }, /VIGIL_S3_PREFIX must/],
    [
      'a bad path-style flag',
      { ...base, AWS_REGION: 'eu-west-2', VIGIL_S3_FORCE_PATH_STYLE: 'maybe' },
      /VIGIL_S3_FORCE_PATH_STYLE must be/,
    ],
    ['an unknown encryption', { ...base, AWS_REGION: 'eu-west-2', VIGIL_S3_SSE: 'rot13' }, /VIGIL_S3_SSE must be/],
    [
      'a KMS key without aws:kms',
      { ...base, AWS_REGION: 'eu-west-2', VIGIL_S3_SSE_KMS_KEY_ID: 'k' },
      /needs VIGIL_S3_SSE=aws:kms/,
    ],
    [
      'a timeout of nothing',
      { ...base, AWS_REGION: 'eu-west-2', VIGIL_S3_TIMEOUT_SECONDS: '0' },
      /VIGIL_S3_TIMEOUT_SECONDS must be a whole number from 1/,
    ],
    [
      'too many attempts',
      { ...base, AWS_REGION: 'eu-west-2', VIGIL_S3_MAX_ATTEMPTS: '50' },
      /VIGIL_S3_MAX_ATTEMPTS must be a whole number/,
    ],
  ])('refuses %s with a clear ConfigError at start', (_label, env, message) => {
    let thrown: unknown;
    try {
      loadConfig({ VIGIL_DATA_DIR: '/srv/vigil', ...env }, '/');
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect((thrown as Error).message).toMatch(message);
  });

  it('never puts a secret in a message', () => {
    const secret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
    expect(() =>
      loadConfig({
        VIGIL_DATA_DIR: '/srv',
        ...base,
        VIGIL_S3_SECRET_ACCESS_KEY: secret,
        VIGIL_S3_ENDPOINT: 'https://x',
      }),
    ).toThrow(/Set both/);
    try {
      loadConfig({
        VIGIL_DATA_DIR: '/srv',
        ...base,
        VIGIL_S3_SECRET_ACCESS_KEY: secret,
        VIGIL_S3_ENDPOINT: 'https://x',
      });
    } catch (err) {
      expect((err as Error).message).not.toContain(secret);
    }
  });
});
