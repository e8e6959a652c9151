import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { ErrorResponseSchema } from '@vigil/shared';
import { ConsoleError } from '../../errors';
import { Access } from '../../auth/access';
import { PasswordLoginMethod } from '../../auth/login-method';
import {
  clearSessionCookie,
  hashSessionId,
  readCookie,
  sessionCookieName,
  setSessionCookie,
  startSession,
} from '../../auth/sessions';
import {
  beginTotpSetup,
  changePassword,
  confirmTotpSetup,
  organisationOf,
  regenerateRecoveryCodes,
} from '../../services/user-accounts.service';
import { auditRequest } from '../../services/audit.service';
import { totpSetupRequired } from '../../auth/sign-in-steps';
import { LoginRequestSchema, MeResponseSchema, type MeResponse } from './dashboard.schema';
import {
  PasswordChangeSchema,
  RecoveryCodesRequestSchema,
  RecoveryCodesResponseSchema,
  TotpCodeSchema,
  TotpSetupResponseSchema,
} from './people.schema';
import type { Viewer } from '../../plugins/session-auth.plugin';
import { actorOf } from './devices.route';

export const DASHBOARD_AUTH_API = {
  login: '/api/auth/login',
  logout: '/api/auth/logout',
  me: '/api/auth/me',
  password: '/api/auth/password',
  totpSetup: '/api/auth/totp/setup',
  totpConfirm: '/api/auth/totp/confirm',
  recoveryCodes: '/api/auth/recovery-codes',
} as const;

const stepErrors = {
  400: ErrorResponseSchema,
  401: ErrorResponseSchema,
  403: ErrorResponseSchema,
  409: ErrorResponseSchema,
};

export const authRoute: FastifyPluginAsyncTypebox = async (app) => {
  const passwordLogin = new PasswordLoginMethod(app.repos, app.secrets);

  const me = async (viewer: Viewer, csrfToken: string, expiresAt: string): Promise<MeResponse> => {
    const schools: MeResponse['schools'] = [];
    for (const id of viewer.access.allSchoolIds()) {
      const school = await app.repos.schools.byId(id);
      if (school) schools.push({ id, name: school.name, roles: viewer.access.rolesAt(id) });
    }
    return {
      user: {
        id: viewer.user.id,
        email: viewer.user.email,
        displayName: viewer.user.displayName,
        mustChangePassword: viewer.user.mustChangePassword,
        totpEnrolled: viewer.user.totpSecretSealed !== null,
        totpSetupRequired: totpSetupRequired(viewer.user, viewer.access.grants),
      },
      grants: [...viewer.access.grants],
      schools: schools.sort((a, b) => a.name.localeCompare(b.name)),
      csrfToken,
      sessionExpiresAt: expiresAt,
    };
  };

  app.post(
    DASHBOARD_AUTH_API.login,
    {
      config: { rateLimit: { max: app.config.loginRatePerMinute, timeWindow: 60_000 } },
      schema: {
        tags: ['auth'],
        summary: 'Sign in with email, password and (for roles that see captures) a TOTP code or a recovery code',
        description:
          'Sets an HttpOnly, SameSite=Lax session cookie (Secure unless the console is on http://localhost) and returns the csrfToken to send as x-vigil-csrf on state-changing requests. Five failed attempts lock the account for 15 minutes; each address may try a limited number of times a minute. A role that needs 2FA with no authenticator yet signs in with the password alone and gets `totpSetupRequired: true`: until POST /api/auth/totp/confirm, other routes answer 403 CONSOLE_ERR_TOTP_SETUP_REQUIRED. With `mustChangePassword` (a one-time password), they answer 403 CONSOLE_ERR_PASSWORD_CHANGE_REQUIRED until POST /api/auth/password.',
        body: LoginRequestSchema,
        response: {
          200: MeResponseSchema,
          400: ErrorResponseSchema,
          401: ErrorResponseSchema,
          429: ErrorResponseSchema,
        },
      },
    },
    async (request, reply) => {
      const now = app.clock.now();
      const outcome = await passwordLogin.authenticate(request.body, now);
      const grants = outcome.user ? await app.repos.users.grantsOf(outcome.user.id) : [];
      const auditBase = {
        actorUserId: outcome.user?.id ?? null,
        actorLabel: outcome.user?.email ?? request.body.email.trim().toLowerCase().slice(0, 320),
        organisationId: await organisationOf(app.repos, grants),
        schoolId: null,
        targetId: outcome.user?.id ?? null,
        ip: request.ip,
      };
      if (!outcome.ok) {
        await app.repos.audit.append(
          {
            ...auditBase,
            action: 'auth.login',
            outcome: 'failure',
            details: { method: passwordLogin.name, reason: outcome.reason },
          },
          now,
        );
        request.log.info({ userId: outcome.user?.id, reason: outcome.reason }, 'sign-in refused');
        throw new ConsoleError(outcome.code, outcome.message);
      }
      const session = await startSession(app, outcome.user.id, passwordLogin.name);
      await app.repos.users.recordSignIn(outcome.user.id, now);
      await app.repos.audit.append(
        {
          ...auditBase,
          action: 'auth.login',
          outcome: 'success',
          details: {
            method: passwordLogin.name,
            secondFactor: outcome.secondFactor,
            totpSetupRequired: outcome.totpSetupRequired,
            ...(outcome.secondFactor === 'recovery_code'
              ? { recoveryCodesLeft: await app.repos.users.recoveryCodesLeft(outcome.user.id) }
              : {}),
          },
        },
        now,
      );
      setSessionCookie(app, reply, session);
      const viewer: Viewer = {
        user: outcome.user,
        session: (await app.repos.sessions.byIdHash(hashSessionId(session.id)))!,
        access: await Access.load(app.repos, outcome.user.id),
      };
      return me(viewer, session.csrfToken, session.expiresAt);
    },
  );

  app.post(
    DASHBOARD_AUTH_API.logout,
    {
      onRequest: app.authenticateUser,
      schema: {
        tags: ['auth'],
        summary: 'End the session (needs the x-vigil-csrf header)',
        response: { 204: Type.Null(), 401: ErrorResponseSchema, 403: ErrorResponseSchema },
      },
    },
    async (request, reply) => {
      const id = readCookie(request, sessionCookieName(app));
      if (id) await app.repos.sessions.delete(hashSessionId(id));
      await auditRequest(app, request, { action: 'auth.logout', targetId: request.viewer!.user.id });
      clearSessionCookie(app, reply);
      return reply.status(204).send(null);
    },
  );

  app.get(
    DASHBOARD_AUTH_API.me,
    {
      onRequest: app.authenticateUser,
      schema: {
        tags: ['auth'],
        summary: 'The signed-in user, their roles per school and the CSRF token',
        response: { 200: MeResponseSchema, 401: ErrorResponseSchema },
      },
    },
    async (request) => {
      const viewer = request.viewer!;
      return me(viewer, viewer.session.csrfToken, viewer.session.expiresAt);
    },
  );

  app.post(
    DASHBOARD_AUTH_API.password,
    {
      onRequest: app.authenticateUser,
      schema: {
        tags: ['auth'],
        summary: 'Change your password (at least 12 characters); ends your other sessions',
        description:
          'Clears mustChangePassword after a one-time password. A wrong current password counts towards the sign-in lockout.',
        body: PasswordChangeSchema,
        response: { 204: Type.Null(), ...stepErrors, 429: ErrorResponseSchema },
      },
    },
    async (request, reply) => {
      const viewer = request.viewer!;
      await changePassword(
        app.repos,
        viewer.user,
        request.body,
        viewer.session.idHash,
        app.clock.now(),
        actorOf(request),
      );
      return reply.status(204).send(null);
    },
  );

  app.post(
    DASHBOARD_AUTH_API.totpSetup,
    {
      onRequest: app.authenticateUser,
      schema: {
        tags: ['auth'],
        summary: 'Start setting up an authenticator app: a new pending secret and its otpauth:// URL',
        description:
          'Only while no authenticator is confirmed (409 otherwise: an admin resets a lost one). The secret counts once POST /api/auth/totp/confirm accepts a code from it.',
        response: { 200: TotpSetupResponseSchema, ...stepErrors },
      },
    },
    async (request) =>
      await beginTotpSetup(app.repos, app.secrets, request.viewer!.user, app.clock.now(), actorOf(request)),
  );

  app.post(
    DASHBOARD_AUTH_API.totpConfirm,
    {
      onRequest: app.authenticateUser,
      schema: {
        tags: ['auth'],
        summary: 'Confirm the authenticator with its current code; returns 10 single-use recovery codes (shown once)',
        body: TotpCodeSchema,
        response: { 200: RecoveryCodesResponseSchema, ...stepErrors },
      },
    },
    async (request) => ({
      recoveryCodes: await confirmTotpSetup(
        app.repos,
        app.secrets,
        request.viewer!.user,
        request.body.code,
        app.clock.now(),
        actorOf(request),
      ),
    }),
  );

  app.post(
    DASHBOARD_AUTH_API.recoveryCodes,
    {
      onRequest: app.authenticateUser,
      schema: {
        tags: ['auth'],
        summary: 'A new set of 10 recovery codes for a current TOTP code; the old codes stop working',
        body: RecoveryCodesRequestSchema,
        response: { 200: RecoveryCodesResponseSchema, ...stepErrors },
      },
    },
    async (request) => ({
      recoveryCodes: await regenerateRecoveryCodes(
        app.repos,
        app.secrets,
        request.viewer!.user,
        request.body.totp,
        app.clock.now(),
        actorOf(request),
      ),
    }),
  );
};
