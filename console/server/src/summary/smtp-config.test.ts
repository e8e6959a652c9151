import { ConfigError, loadConfig } from '../config';

const base = { VIGIL_DATA_DIR: '/tmp/vigil-config-test' };

describe('SMTP settings in the console config', () => {
  it('is null without any SMTP variable: summaries are built, not emailed', () => {
    expect(loadConfig(base).smtp).toBeNull();
  });

  it('reads VIGIL_SMTP_URL with credentials, and smtps:// means TLS on 465', () => {
    expect(loadConfig({ ...base, VIGIL_SMTP_URL: 'smtp://vigil%40oak:p%40ss@mail.oak.sch.uk:2525' }).smtp).toEqual({
      host: 'mail.oak.sch.uk',
      port: 2525,
      secure: false,
      user: 'vigil@oak',
      password: 'p@ss',
      from: 'Vigil <vigil@localhost>',
    });
    expect(loadConfig({ ...base, VIGIL_SMTP_URL: 'smtps://mail.oak.sch.uk' }).smtp).toMatchObject({
      port: 465,
      secure: true,
    });
  });

  it('reads the separate host, port, user, password and TLS variables', () => {
    const smtp = loadConfig({
      ...base,
      VIGIL_SMTP_HOST: 'smtp.office365.com',
      VIGIL_SMTP_USER: 'vigil@oak.sch.uk',
      VIGIL_SMTP_PASSWORD: 'secret',
      VIGIL_SMTP_FROM: 'Vigil <vigil@oak.sch.uk>',
    }).smtp;
    expect(smtp).toEqual({
      host: 'smtp.office365.com',
      port: 587,
      secure: false,
      user: 'vigil@oak.sch.uk',
      password: 'secret',
      from: 'Vigil <vigil@oak.sch.uk>',
    });
  });

  it.each([
    [{ VIGIL_SMTP_URL: 'http://mail.oak.sch.uk' }, /smtp:\/\/ or smtps:\/\//],
    [{ VIGIL_SMTP_URL: 'not a url' }, /VIGIL_SMTP_URL must be a URL/],
    [{ VIGIL_SMTP_HOST: 'mail', VIGIL_SMTP_TLS: 'maybe' }, /VIGIL_SMTP_TLS/],
    [{ VIGIL_SMTP_HOST: 'mail', VIGIL_SMTP_PORT: '70000' }, /VIGIL_SMTP_PORT/],
  ])('refuses %j', (env, message) => {
    expect(() => loadConfig({ ...base, ...env })).toThrow(ConfigError);
    expect(() => loadConfig({ ...base, ...env })).toThrow(message);
  });
});
