// deploy/docker-compose.yml: current images, no host networking (Docker Desktop has none), loopback-only
// ports, every mounted file present, the dashboards provisioned, and Prometheus configs promtool accepts.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const DEPLOY = join(import.meta.dirname, '..', '..', 'deploy');

interface ComposeService {
  image: string;
  network_mode?: string;
  ports?: string[];
  volumes?: string[];
  command?: string[];
}

const compose = parse(readFileSync(join(DEPLOY, 'docker-compose.yml'), 'utf8')) as { services: Record<string, ComposeService> };

function majorOf(image: string): number {
  return Number(/:v?(\d+)\./.exec(image)?.[1] ?? Number.NaN);
}

describe('deploy/docker-compose.yml', () => {
  it('runs current Prometheus (3.x) and Grafana (12.x) images, pinned', () => {
    expect(compose.services.prometheus.image).toMatch(/^prom\/prometheus:v\d+\.\d+\.\d+$/);
    expect(compose.services.grafana.image).toMatch(/^grafana\/grafana:\d+\.\d+\.\d+$/);
    expect(majorOf(compose.services.prometheus.image)).toBeGreaterThanOrEqual(3);
    expect(majorOf(compose.services.grafana.image)).toBeGreaterThanOrEqual(12);
  });

  it('uses no host networking and publishes on loopback only', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      expect(service.network_mode, name).toBeUndefined();
      for (const port of service.ports ?? []) expect(port, name).toMatch(/^127\.0\.0\.1:/);
    }
    expect(compose.services.prometheus.command).toEqual(
      expect.arrayContaining(['--web.enable-remote-write-receiver', '--enable-feature=native-histograms']),
    );
  });

  it('mounts files that exist, provisioning the datasource and every generated dashboard', () => {
    const mounts = Object.values(compose.services)
      .flatMap((service) => service.volumes ?? [])
      .filter((volume) => volume.startsWith('.'));
    for (const mount of mounts) expect(existsSync(resolve(DEPLOY, mount.split(':')[0])), mount).toBe(true);
    const grafana = compose.services.grafana.volumes ?? [];
    const dashboards = grafana.find((volume) => volume.includes('dashboards/generated'))!;
    expect(readdirSync(resolve(DEPLOY, dashboards.split(':')[0])).filter((file) => file.endsWith('.json')).length).toBeGreaterThanOrEqual(
      5,
    );
    const datasource = parse(readFileSync(join(DEPLOY, 'grafana', 'datasources', 'prometheus.yml'), 'utf8')) as {
      datasources: { url: string }[];
    };
    // Inside the compose network Prometheus is reached by its service name, not the host's loopback.
    expect(datasource.datasources[0].url).toBe('http://prometheus:9090');
  });

  it('has Prometheus configs that promtool accepts', () => {
    for (const file of ['prometheus.yml', 'prometheus-docker.yml']) {
      const output = execFileSync('promtool', ['check', 'config', '--syntax-only', join(DEPLOY, file)], { encoding: 'utf8' });
      expect(output, file).toMatch(/SUCCESS/);
    }
  });
});
