import { createHash, timingSafeEqual } from 'node:crypto';
import fp from 'fastify-plugin';
import type { FastifyRequest } from 'fastify';
import { DEVICE_AUTH_SCHEME } from '@vigil/shared';
import type { Device } from '../repositories/devices.repository';
import { ConsoleError } from '../errors';

declare module 'fastify' {
  interface FastifyInstance {
    authenticateDevice: (request: FastifyRequest) => Promise<void>;
  }
  interface FastifyRequest {
    device: Device | null;
  }
}

export const hashDeviceSecret = (secret: string): string => createHash('sha256').update(secret, 'utf8').digest('hex');

function secretMatches(secret: string, expectedHash: string): boolean {
  const actual = Buffer.from(hashDeviceSecret(secret), 'hex');
  const expected = Buffer.from(expectedHash, 'hex');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/**
 * Device authentication: `Authorization: Device <deviceId>:<secret>`. The secret is random and
 * long, so a SHA-256 of it is kept, never the secret. A revoked device is refused.
 */
export const deviceAuthPlugin = fp(
  async (app) => {
    app.decorateRequest('device', null);
    app.decorate('authenticateDevice', async (request: FastifyRequest) => {
      const header = request.headers.authorization ?? '';
      const prefix = `${DEVICE_AUTH_SCHEME} `;
      if (!header.startsWith(prefix)) throw new ConsoleError('CONSOLE_ERR_DEVICE_UNAUTHORISED');
      const credentials = header.slice(prefix.length);
      const colon = credentials.indexOf(':');
      if (colon <= 0) throw new ConsoleError('CONSOLE_ERR_DEVICE_UNAUTHORISED');
      const device = await app.repos.devices.byId(credentials.slice(0, colon));
      if (!device || device.revokedAt !== null || !secretMatches(credentials.slice(colon + 1), device.secretHash)) {
        throw new ConsoleError('CONSOLE_ERR_DEVICE_UNAUTHORISED');
      }
      request.device = device;
    });
  },
  { name: 'vigil-device-auth', fastify: '5.x', dependencies: ['vigil-storage'] },
);
