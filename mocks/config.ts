import { readFile } from 'node:fs/promises';
import { Ajv } from 'ajv';
import type { ResourceSettings } from './capacity/resource.ts';
import type { StoreLimits } from './shared/bounded-store.ts';
import type { FaultSettings } from './shared/faults.ts';
import { InvalidConfigError } from '../engine/errors.ts';

export type ServiceName = 'identity' | 'portal' | 'ndxp';
export const SERVICE_NAMES: readonly ServiceName[] = ['identity', 'portal', 'ndxp'];
export type ProfileName = 'default' | 'zero-latency';
export const PROFILE_NAMES: readonly ProfileName[] = ['default', 'zero-latency'];
export const DEFAULT_PORTS: Record<ServiceName, number> = { identity: 7101, portal: 7102, ndxp: 7103 };

export interface IdentitySettings {
  password: string;
  accessTokenTtlSeconds: number;
  idTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  authorizationCodeTtlSeconds: number;
  loginRequestTtlSeconds: number;
  maxFailedLogins: number;
  lockoutSeconds: number;
}

export interface PortalSettings {
  /** Compressed time: each lifecycle step (received → processing → completed) takes this long. */
  statusStepMs: number;
  maxUploadBytes: number;
  procedureCount: number;
}

export interface QuotaSettings {
  ratePerSecond: number;
  burst: number;
}

export interface NdxpSettings {
  providerTimeoutMs: number;
  quota: QuotaSettings;
  consumerQuotas: Record<string, QuotaSettings>;
  circuit: { failureThreshold: number; openMs: number };
}

/** Every piece of state a mock keeps, each bounded (entries and estimated bytes), oldest evicted first. */
export const STORE_NAMES = [
  'pending_authorizations',
  'authorization_codes',
  'refresh_tokens',
  'revoked_grants',
  'lockouts',
  'verified_tokens',
  'attachments',
  'dossiers',
  'payments',
  'documents',
  'idempotency_keys',
  'quota_windows',
] as const;
export type StoreName = (typeof STORE_NAMES)[number];

const MiB = 1024 * 1024;
const limits = (maxEntries: number, maxMiB: number): StoreLimits => ({ maxEntries, maxBytes: maxMiB * MiB });
/** Estimated state per service at most: identity 216 MiB, portal 160 MiB, ndxp 168 MiB (each with its verified-token cache). */
const DEFAULT_STORE_LIMITS: Record<StoreName, StoreLimits> = {
  pending_authorizations: limits(100_000, 64),
  authorization_codes: limits(100_000, 32),
  refresh_tokens: limits(200_000, 48),
  revoked_grants: limits(100_000, 8),
  lockouts: limits(200_000, 16),
  verified_tokens: limits(50_000, 48),
  attachments: limits(200_000, 48),
  dossiers: limits(200_000, 48),
  payments: limits(100_000, 16),
  documents: limits(200_000, 64),
  idempotency_keys: limits(200_000, 48),
  quota_windows: limits(100_000, 8),
};

/** Connection hygiene: slow or idle clients cannot hold connections for ever (slowloris). */
export interface ServerTimeouts {
  /** The request line and headers must arrive within this long, else the connection is closed. */
  headersTimeoutMs: number;
  /** The whole request, body included, must arrive within this long (408). */
  requestTimeoutMs: number;
  /** An idle keep-alive connection is closed after this long. */
  keepAliveTimeoutMs: number;
}

export const DEFAULT_SERVER_TIMEOUTS: ServerTimeouts = { headersTimeoutMs: 10_000, requestTimeoutMs: 60_000, keepAliveTimeoutMs: 72_000 };

/** The config file (`loadlab mocks --config FILE`) and `startMocks({ config })`: every key optional. */
export interface MockConfig {
  identityUrl?: string;
  profile?: ProfileName;
  /** Turn off every loadlab_* metric, to measure what metrics cost. Default true. */
  metrics?: boolean;
  resources?: Partial<Record<ServiceName, Record<string, Partial<ResourceSettings>>>>;
  faults?: Partial<Record<ServiceName, FaultSettings>>;
  identity?: Partial<IdentitySettings>;
  portal?: Partial<PortalSettings>;
  ndxp?: Partial<Omit<NdxpSettings, 'circuit'>> & { circuit?: Partial<NdxpSettings['circuit']> };
  stores?: Partial<Record<StoreName, Partial<StoreLimits>>>;
  server?: Partial<ServerTimeouts>;
}

/** Fully resolved settings of one run. */
export interface ResolvedConfig {
  identityUrl: string | undefined;
  profile: ProfileName;
  metrics: boolean;
  resources: Record<ServiceName, Record<string, ResourceSettings>>;
  faults: Record<ServiceName, FaultSettings>;
  identity: IdentitySettings;
  portal: PortalSettings;
  ndxp: NdxpSettings;
  stores: Record<StoreName, StoreLimits>;
  server: ServerTimeouts;
}

const lognormal = (p50Ms: number, p99Ms: number) => ({ kind: 'lognormal' as const, p50Ms, p99Ms });
const resource = (
  slots: number,
  queueLimit: number,
  queueTimeoutMs: number,
  serviceTime: ResourceSettings['serviceTime'],
  whenFull: 503 | 429 = 503,
): ResourceSettings => ({
  slots,
  queueLimit,
  queueTimeoutMs,
  whenFull,
  retryAfterSeconds: 2,
  serviceTime,
});

/**
 * Modest real backends. Identity's credential check (the population-database lookup behind every login) is the
 * narrowest resource: 16 slots × log-normal(p50 40 ms, p99 250 ms) ≈ 293 logins/s, so a login surge of a few hundred
 * logins/s saturates identity first, as the provinces saw on cut-over days.
 */
function defaultResources(): Record<ServiceName, Record<string, ResourceSettings>> {
  return {
    identity: {
      credential_check: resource(16, 256, 3000, lognormal(40, 250)),
      token_issuance: resource(32, 512, 3000, lognormal(8, 60)),
    },
    portal: {
      catalogue_search: resource(32, 512, 5000, lognormal(15, 120)),
      dossier_db: resource(32, 512, 5000, lognormal(25, 200)),
      file_storage: resource(16, 256, 10000, lognormal(60, 400)),
      payment_gateway: resource(16, 256, 10000, lognormal(150, 1200), 429),
    },
    ndxp: {
      population: resource(32, 256, 5000, lognormal(30, 300)),
      business_registry: resource(16, 256, 5000, lognormal(50, 500)),
      social_insurance: resource(16, 256, 5000, lognormal(60, 600)),
      land: resource(8, 128, 5000, lognormal(120, 1500)),
      document_exchange: resource(16, 256, 5000, lognormal(40, 300)),
    },
  };
}

const UNLIMITED = 1_000_000_000;

function profileResources(profile: ProfileName): Record<ServiceName, Record<string, ResourceSettings>> {
  const resources = defaultResources();
  if (profile === 'zero-latency') {
    for (const service of SERVICE_NAMES) {
      for (const name of Object.keys(resources[service])) {
        resources[service][name] = resource(UNLIMITED, UNLIMITED, 0, { kind: 'none' });
      }
    }
  }
  return resources;
}

export function resolveConfig(config: MockConfig = {}, profileOverride?: ProfileName): ResolvedConfig {
  const problems = validateConfig(config);
  if (problems.length > 0) throw new MockConfigError(problems);
  const profile = profileOverride ?? config.profile ?? 'default';
  const resources = profileResources(profile);
  for (const service of SERVICE_NAMES) {
    for (const [name, partial] of Object.entries(config.resources?.[service] ?? {})) {
      const base = resources[service][name];
      if (!base)
        throw new MockConfigError([
          `resources.${service}.${name}: unknown resource (known: ${Object.keys(resources[service]).join(', ')})`,
        ]);
      resources[service][name] = { ...base, ...partial };
    }
  }
  const zero = profile === 'zero-latency';
  const server = { ...DEFAULT_SERVER_TIMEOUTS, ...config.server };
  if (server.headersTimeoutMs > server.requestTimeoutMs)
    throw new MockConfigError([
      `server.headersTimeoutMs (${server.headersTimeoutMs}) must not exceed server.requestTimeoutMs (${server.requestTimeoutMs})`,
    ]);
  return {
    identityUrl: config.identityUrl,
    profile,
    metrics: config.metrics ?? true,
    resources,
    faults: { identity: {}, portal: {}, ndxp: {}, ...config.faults },
    identity: {
      password: 'loadtest',
      accessTokenTtlSeconds: 900,
      idTokenTtlSeconds: 900,
      refreshTokenTtlSeconds: 8 * 3600,
      authorizationCodeTtlSeconds: 60,
      loginRequestTtlSeconds: 600,
      maxFailedLogins: 5,
      lockoutSeconds: 300,
      ...config.identity,
    },
    portal: { statusStepMs: 10_000, maxUploadBytes: 10 * 1024 * 1024, procedureCount: 2000, ...config.portal },
    ndxp: {
      providerTimeoutMs: config.ndxp?.providerTimeoutMs ?? 3000,
      quota: config.ndxp?.quota ?? (zero ? { ratePerSecond: UNLIMITED, burst: UNLIMITED } : { ratePerSecond: 200, burst: 400 }),
      consumerQuotas: config.ndxp?.consumerQuotas ?? {},
      circuit: { failureThreshold: 5, openMs: 5000, ...config.ndxp?.circuit },
    },
    stores: Object.fromEntries(STORE_NAMES.map((name) => [name, { ...DEFAULT_STORE_LIMITS[name], ...config.stores?.[name] }])) as Record<
      StoreName,
      StoreLimits
    >,
    server,
  };
}

export class MockConfigError extends InvalidConfigError {
  constructor(readonly problems: string[]) {
    super(`invalid mock config:\n  ${problems.join('\n  ')}`);
    this.name = 'MockConfigError';
  }
}

export async function loadConfigFile(path: string): Promise<MockConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new MockConfigError([`${path}: cannot read (${(error as NodeJS.ErrnoException).code ?? String(error)})`]);
  }
  try {
    return JSON.parse(text) as MockConfig;
  } catch (error) {
    throw new MockConfigError([`${path}: not valid JSON (${(error as Error).message})`]);
  }
}

// JSON schemas shared by the config file and the admin API routes.
// No additionalProperties: false inside oneOf: Fastify's Ajv removes additional properties while trying each
// branch, which would strip p50Ms from a log-normal spec while testing the 'none' branch.
export const serviceTimeSchema = {
  type: 'object',
  required: ['kind'],
  oneOf: [
    { properties: { kind: { const: 'none' } } },
    { required: ['ms'], properties: { kind: { const: 'fixed' }, ms: { type: 'number', minimum: 0, maximum: 600_000 } } },
    {
      required: ['p50Ms', 'p99Ms'],
      properties: {
        kind: { const: 'lognormal' },
        p50Ms: { type: 'number', exclusiveMinimum: 0, maximum: 600_000 },
        p99Ms: { type: 'number', exclusiveMinimum: 0, maximum: 600_000 },
      },
    },
  ],
} as const;

export const resourcePatchSchema = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: {
    slots: { type: 'integer', minimum: 1, maximum: UNLIMITED },
    queueLimit: { type: 'integer', minimum: 0, maximum: UNLIMITED },
    queueTimeoutMs: { type: 'number', minimum: 0, maximum: 3_600_000 },
    whenFull: { enum: [503, 429] },
    retryAfterSeconds: { type: 'integer', minimum: 0, maximum: 3600 },
    serviceTime: serviceTimeSchema,
  },
} as const;

export const faultsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    latencyMs: { type: 'number', minimum: 0, maximum: 600_000 },
    errorRatio: { type: 'number', minimum: 0, maximum: 1 },
    errorCodes: { type: 'array', minItems: 1, maxItems: 20, items: { type: 'integer', minimum: 400, maximum: 599 } },
    outage: {
      type: 'object',
      required: ['durationMs'],
      additionalProperties: false,
      properties: {
        startInMs: { type: 'number', minimum: 0, maximum: 86_400_000 },
        durationMs: { type: 'number', minimum: 0, maximum: 86_400_000 },
      },
    },
    resetRatio: { type: 'number', minimum: 0, maximum: 1 },
    slowResponseMs: { type: 'number', minimum: 0, maximum: 600_000 },
    routes: { type: 'array', maxItems: 100, items: { type: 'string', minLength: 1, maxLength: 200 } },
  },
} as const;

const positive = { type: 'number', exclusiveMinimum: 0 } as const;
const quotaSchema = {
  type: 'object',
  required: ['ratePerSecond', 'burst'],
  additionalProperties: false,
  properties: { ratePerSecond: positive, burst: { type: 'number', minimum: 1 } },
} as const;
const perService = (schema: object) => ({
  type: 'object',
  additionalProperties: false,
  properties: { identity: schema, portal: schema, ndxp: schema },
});

const configSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    $schema: { type: 'string' },
    identityUrl: { type: 'string', pattern: '^https?://' },
    profile: { enum: PROFILE_NAMES },
    metrics: { type: 'boolean' },
    resources: perService({ type: 'object', additionalProperties: resourcePatchSchema }),
    faults: perService(faultsSchema),
    identity: {
      type: 'object',
      additionalProperties: false,
      properties: {
        password: { type: 'string', minLength: 1 },
        accessTokenTtlSeconds: positive,
        idTokenTtlSeconds: positive,
        refreshTokenTtlSeconds: positive,
        authorizationCodeTtlSeconds: positive,
        loginRequestTtlSeconds: positive,
        maxFailedLogins: { type: 'integer', minimum: 1 },
        lockoutSeconds: { type: 'number', minimum: 0 },
      },
    },
    portal: {
      type: 'object',
      additionalProperties: false,
      properties: {
        statusStepMs: { type: 'number', minimum: 0 },
        maxUploadBytes: { type: 'integer', minimum: 1 },
        procedureCount: { type: 'integer', minimum: 1, maximum: 100_000 },
      },
    },
    ndxp: {
      type: 'object',
      additionalProperties: false,
      properties: {
        providerTimeoutMs: positive,
        quota: quotaSchema,
        consumerQuotas: { type: 'object', additionalProperties: quotaSchema },
        circuit: {
          type: 'object',
          additionalProperties: false,
          properties: { failureThreshold: { type: 'integer', minimum: 1 }, openMs: { type: 'number', minimum: 0 } },
        },
      },
    },
    stores: {
      type: 'object',
      additionalProperties: false,
      properties: Object.fromEntries(
        STORE_NAMES.map((name) => [
          name,
          {
            type: 'object',
            additionalProperties: false,
            minProperties: 1,
            properties: {
              maxEntries: { type: 'integer', minimum: 1, maximum: 10_000_000 },
              maxBytes: { type: 'integer', minimum: 1024, maximum: 16 * 1024 * MiB },
            },
          },
        ]),
      ),
    },
    server: {
      type: 'object',
      additionalProperties: false,
      properties: {
        headersTimeoutMs: { type: 'integer', minimum: 100, maximum: 3_600_000 },
        requestTimeoutMs: { type: 'integer', minimum: 100, maximum: 3_600_000 },
        keepAliveTimeoutMs: { type: 'integer', minimum: 100, maximum: 3_600_000 },
      },
    },
  },
} as const;

// Compiled on first use, so that importing the config (the CLI's --help does) costs no schema compilation.
let compiled: ReturnType<Ajv['compile']> | undefined;

/** Every problem in a config object, each naming the path, empty when valid. */
export function validateConfig(config: unknown): string[] {
  compiled ??= new Ajv({ allErrors: true, strict: false }).compile(configSchema);
  const validate = compiled;
  if (validate(config)) return [];
  return (validate.errors ?? []).map((error) => {
    const where = error.instancePath ? error.instancePath.slice(1).replaceAll('/', '.') : '(config)';
    const extra = error.params && 'additionalProperty' in error.params ? ` '${error.params.additionalProperty}'` : '';
    return `${where}: ${error.message}${extra}`;
  });
}
