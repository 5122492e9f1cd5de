import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { loadConfig } from '../../src/config/load-config';
import { finalStage } from '../support/dockerfile';

const OVERLAYS = join(__dirname, '..', '..', 'deploy', 'kubernetes', 'overlays');

interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  spec: Record<string, unknown>;
}
interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string; optional?: boolean } };
}
interface Container {
  name: string;
  env?: EnvVar[];
  ports: { name: string; containerPort: number }[];
  securityContext: { readOnlyRootFilesystem?: boolean; allowPrivilegeEscalation?: boolean; capabilities?: { drop?: string[] } };
  volumeMounts: { name: string; mountPath: string }[];
  livenessProbe: Probe;
  readinessProbe: Probe;
  startupProbe?: Probe;
}
interface Probe {
  httpGet: { path: string; port: string | number };
}
interface PodSpec {
  securityContext: { runAsNonRoot?: boolean; runAsUser?: number };
  containers: Container[];
  volumes: { name: string; emptyDir?: object; persistentVolumeClaim?: { claimName: string } }[];
  topologySpreadConstraints?: { topologyKey: string }[];
}

function render(overlay: string): K8sObject[] {
  const yaml = execFileSync('kubectl', ['kustomize', join(OVERLAYS, overlay)], { encoding: 'utf8' });
  return parseAllDocuments(yaml).map((document) => document.toJS() as K8sObject);
}

/** Every variable Samplane reads, as `loadConfig` itself asks for them. */
function knownVariables(): Set<string> {
  const asked = new Set<string>();
  loadConfig(new Proxy({}, { get: (_target, name) => (asked.add(String(name)), undefined) }));
  return asked;
}

/** The environment a pod gets, Secrets filled with plausible values, on top of the image's. */
function podEnvironment(container: Container): Record<string, string> {
  const secrets: Record<string, string> = {
    'database-url': 'postgres://samplane:secret@postgres:5432/samplane',
    'admin-tokens': 'ops:operator:0123456789abcdef',
    'ingest-tokens': 'collector:fedcba9876543210',
  };
  const env: Record<string, string> = { ...finalStage().env };
  for (const variable of container.env ?? []) {
    const key = variable.valueFrom?.secretKeyRef?.key;
    env[variable.name] = variable.value ?? (key ? secrets[key] : '');
  }
  return env;
}

describe.each(['single', 'ha'])('the %s overlay, as kubectl kustomize renders it', (overlay) => {
  const objects = render(overlay);
  const deployment = objects.find((o) => o.kind === 'Deployment') as K8sObject;
  const pod = (deployment.spec.template as { spec: PodSpec; metadata: { labels: Record<string, string> } }).spec;
  const podLabels = (deployment.spec.template as { metadata: { labels: Record<string, string> } }).metadata.labels;
  const container = pod.containers.find((c) => c.name === 'samplane') as Container;

  it('runs as a non-root user with a read-only root filesystem and no privileges', () => {
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    expect(pod.securityContext.runAsUser).toBeGreaterThan(0);
    expect(String(pod.securityContext.runAsUser)).toBe(finalStage().user?.split(':')[0]);
    expect(container.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
    expect(container.securityContext.capabilities?.drop).toEqual(['ALL']);
  });

  it('mounts a writable volume where the policy database lives', () => {
    const sqliteDir = dirname(podEnvironment(container).SQLITE_PATH);
    const mount = container.volumeMounts.find((m) => m.mountPath === sqliteDir);
    expect(mount).toBeDefined();
    const volume = pod.volumes.find((v) => v.name === mount?.name);
    expect(Boolean(volume?.emptyDir) || Boolean(volume?.persistentVolumeClaim)).toBe(true);
    expect(container.volumeMounts.map((m) => m.mountPath)).toContain('/tmp');
  });

  it('probes the health endpoint on the HTTP port Samplane listens on', () => {
    const http = container.ports.find((p) => p.name === 'http');
    expect(http?.containerPort).toBe(loadConfig(podEnvironment(container)).httpPort);
    for (const probe of [container.livenessProbe, container.readinessProbe, container.startupProbe]) {
      expect(probe?.httpGet).toEqual(expect.objectContaining({ path: '/healthz', port: 'http' }));
    }
  });

  it('sets only variables Samplane knows, in a combination it starts with', () => {
    const known = knownVariables();
    expect((container.env ?? []).map((v) => v.name).filter((name) => !known.has(name))).toEqual([]);
    expect(Object.keys(finalStage().env).filter((name) => name !== 'NODE_ENV' && !known.has(name))).toEqual([]);
    expect(() => loadConfig(podEnvironment(container))).not.toThrow();
  });

  it('exposes both ports through the Service', () => {
    const service = objects.find((o) => o.kind === 'Service') as K8sObject;
    expect((service.spec.ports as { targetPort: string }[]).map((p) => p.targetPort)).toEqual(['http', 'grpc']);
    expect(service.spec.selector).toEqual(expect.objectContaining(podLabels));
  });

  if (overlay === 'single') {
    it('keeps one replica on a persistent volume, never two at once', () => {
      expect(deployment.spec.replicas).toBe(1);
      expect(deployment.spec.strategy).toEqual({ type: 'Recreate' });
      const data = pod.volumes.find((v) => v.name === 'data');
      expect(objects.some((o) => o.kind === 'PersistentVolumeClaim' && o.metadata.name === data?.persistentVolumeClaim?.claimName)).toBe(true);
      expect(podEnvironment(container).REDIS_URL).toBeUndefined();
    });
  } else {
    it('runs several replicas on Redis and PostgreSQL, with credentials from Secrets', () => {
      expect(deployment.spec.replicas).toBeGreaterThan(1);
      const env = Object.fromEntries((container.env ?? []).map((v) => [v.name, v]));
      expect(env.REDIS_URL?.value).toMatch(/^redis:\/\//);
      for (const name of ['DATABASE_URL', 'ADMIN_TOKENS', 'INGEST_TOKENS']) {
        expect(env[name]?.valueFrom?.secretKeyRef).toEqual(expect.objectContaining({ name: 'samplane' }));
        expect(env[name]?.value).toBeUndefined();
      }
      // Without the shared database this combination is one Samplane refuses.
      const withoutDatabase = { ...podEnvironment(container), DATABASE_URL: '' };
      expect(() => loadConfig(withoutDatabase)).toThrow(/^DATABASE_URL: unset while REDIS_URL is set/);
    });

    it('spreads replicas, bounds disruptions and is scraped', () => {
      expect(pod.topologySpreadConstraints?.map((c) => c.topologyKey)).toEqual(['kubernetes.io/hostname', 'topology.kubernetes.io/zone']);
      const budget = objects.find((o) => o.kind === 'PodDisruptionBudget') as K8sObject;
      expect((budget.spec.selector as { matchLabels: Record<string, string> }).matchLabels).toEqual(podLabels);
      expect(budget.spec.maxUnavailable).toBe(1);
      const monitor = objects.find((o) => o.kind === 'ServiceMonitor') as K8sObject;
      expect(monitor.spec.endpoints).toEqual([expect.objectContaining({ port: 'http', path: '/metrics' })]);
    });
  }
});

describe('deploy/Dockerfile', () => {
  const stage = finalStage();

  it('builds on a supported Node LTS, runs as a numeric non-root user, with a healthcheck', () => {
    expect(stage.from).toMatch(/^node:(22|24)-/);
    expect(stage.user).toMatch(/^[1-9]\d*:[1-9]\d*$/);
    expect(stage.lines.some((line) => line.startsWith('HEALTHCHECK') && line.includes('healthcheck'))).toBe(true);
  });

  it('gives that user the directory of the default policy database', () => {
    const dir = dirname(stage.env.SQLITE_PATH);
    expect(stage.lines.some((line) => line.includes(`chown ${stage.user}`) && line.includes(dir))).toBe(true);
  });
});
