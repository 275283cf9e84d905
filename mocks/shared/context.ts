import type { preHandlerAsyncHookHandler } from 'fastify';
import { Resource } from '../capacity/resource.ts';
import type { ResolvedConfig, ServiceName, StoreName } from '../config.ts';
import { BoundedStore, type BoundedStoreOptions, type MeteredStore } from './bounded-store.ts';
import { FaultInjector } from './faults.ts';
import { type ConnectionStats, ServiceMetrics } from './metrics.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** The service this app serves, decorated once by createServiceApp; plugins (admin) read it from here. */
    service: ServiceContext;
  }
  interface FastifyContextConfig {
    /** The modelled resource behind the route: injected faults count as its rejections. */
    resource?: string;
    /** false on /admin/* and /metrics: kept out of the RED metrics. */
    red?: boolean;
  }
}

/** Where the mocks can be reached from outside, for the admin API's Host/Origin checks. */
export interface Exposure {
  /** The address the server is bound to, as given (127.0.0.1, ::1, 0.0.0.0 …). */
  host: string;
  /** Bearer token the admin API requires; undefined = none (loopback only). */
  adminToken: string | undefined;
}

/** 0.0.0.0 / :: accept connections on every interface. */
export function isWildcardHost(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === '[::]';
}

/** What a service plugin gets: its settings, metrics, resources, stores and fault injector. */
export class ServiceContext {
  readonly metrics: ServiceMetrics;
  readonly resources = new Map<string, Resource>();
  readonly stores: MeteredStore[] = [];
  readonly faults: FaultInjector;
  readonly connections: ConnectionStats = { open: 0, accepted: 0, handshakes: 0, handshakeFailures: 0, handshaking: 0 };
  readonly resetHooks: (() => void)[] = [];
  /** Set once the server listens; the identity issuer and absolute links depend on it. */
  baseUrl = '';
  /** Where the identity service is; set by startMocks. */
  identityUrl = '';
  /** The port the server listens on, once it listens. */
  port = 0;
  /** Under TLS: records one handshake's accept → secure time (set by addTlsTermination). */
  recordHandshake: ((seconds: number) => void) | undefined;
  /** How this service fetches from the others (the identity JWKS): one that trusts the mocks' CA under --tls. */
  fetch: typeof globalThis.fetch | undefined;

  constructor(
    readonly name: ServiceName,
    readonly config: ResolvedConfig,
    readonly exposure: Exposure = { host: '127.0.0.1', adminToken: undefined },
  ) {
    this.metrics = new ServiceMetrics(name, config.metrics, this.stores);
    this.faults = new FaultInjector(config.faults[name]);
    this.metrics.addConnectionStats(this.connections);
    for (const [resourceName, settings] of Object.entries(config.resources[name])) {
      const resource = new Resource(resourceName, settings);
      this.resources.set(resourceName, resource);
      this.metrics.addResource(resource);
    }
  }

  resource(name: string): Resource {
    const resource = this.resources.get(name);
    if (!resource) throw new Error(`${this.name} has no resource ${name}`);
    return resource;
  }

  /** A store bounded by the configured limits, its size and evictions in /metrics (`loadlab_store_*`). */
  store<K, V>(name: StoreName, options: BoundedStoreOptions<K, V> = {}): BoundedStore<K, V> {
    const store = new BoundedStore<K, V>(name, this.config.stores[name], options);
    this.stores.push(store);
    return store;
  }

  /** Extra metered state that is no BoundedStore of its own (NDXP inboxes, bounded through their documents). */
  meter(store: MeteredStore): void {
    this.stores.push(store);
  }

  /**
   * Route preHandler: the request waits for a slot of the resource and holds it for one service time, or is turned
   * away (ResourceRejected → 503/429 + Retry-After). It runs before the handler, so a refused request has changed
   * nothing: codes, refresh tokens, quotas and idempotency keys stay as they were for the client's retry.
   */
  admit(resourceName: string): preHandlerAsyncHookHandler {
    const resource = this.resource(resourceName);
    return async () => {
      await resource.run();
    };
  }

  /** Back to the configured profile, faults cleared. */
  reset(): void {
    for (const [name, resource] of this.resources) resource.update(this.config.resources[this.name][name]);
    this.faults.set({});
    for (const hook of this.resetHooks) hook();
  }
}
