import { ConfigError, loadConfig } from './app-config.js';

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ PORT: 3000, DATA_DIR: './.data', LOG_LEVEL: 'info', PUBLIC_NOTICE_DAYS: 7 });
    expect(config.embeddedDatabase).toBe(true);
    expect(config.inProcessJobs).toBe(true);
  });

  it('names every bad variable', () => {
    expect.assertions(3);
    try {
      loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', LOG_LEVEL: 'loud' });
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).problems.join('\n')).toMatch(/PORT/);
      expect((error as ConfigError).message).toMatch(/DATABASE_URL[\s\S]*LOG_LEVEL|LOG_LEVEL[\s\S]*DATABASE_URL/);
    }
  });

  it('requires JWT_SECRET, DATABASE_URL and the personal-information keys in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(
      /JWT_SECRET is required[\s\S]*DATABASE_URL is required[\s\S]*PII_KEYS/,
    );
    const production = { NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(40), DATABASE_URL: 'postgres://db/yikatong' };
    expect(() => loadConfig(production)).toThrow(/PII_KEYS \(with PII_INDEX_KEY\) or PII_KEY_FILE is required/);
    expect(() => loadConfig({ ...production, PII_KEY_FILE: '/run/secrets/pii-keys.json' })).not.toThrow();
  });

  it('refuses a short JWT secret', () => {
    expect(() => loadConfig({ JWT_SECRET: 'short' })).toThrow(/JWT_SECRET/);
  });

  it('reads REDIS_URL as the switch to Bull', () => {
    expect(loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379' }).inProcessJobs).toBe(false);
  });
});

describe('TRUST_PROXY', () => {
  it('accepts what Express understands and refuses the rest', async () => {
    const { trustProxy } = await import('../configure-app.js');
    expect(loadConfig({}).TRUST_PROXY).toBe('loopback');
    expect(trustProxy('loopback')).toEqual(['loopback']);
    expect(trustProxy('1')).toBe(1);
    expect(trustProxy('10.0.0.0/8, 172.16.0.1')).toEqual(['10.0.0.0/8', '172.16.0.1']);
    expect(trustProxy('false')).toBe(false);
    expect(() => loadConfig({ TRUST_PROXY: 'everyone; rm -rf' })).toThrow(/TRUST_PROXY/);
  });
});
