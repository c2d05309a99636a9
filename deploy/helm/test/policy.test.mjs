// Policy tests over everything the chart renders (workloads, hooks and `helm test` pods), for every values case in
// deploy/helm/test/cases.mjs, plus the behaviours that need two renders (checksums, replicas, existingSecret).
// Run: eval "$(tools/helm/install-helm.sh --env)" && node --test deploy/helm/test/*.test.mjs
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CASES, EXTERNAL_DATABASE_URL, TAGS } from './cases.mjs';
import { containers, find, podSpecs, render } from './chart.mjs';

const FLOATING_TAGS = new Set(['latest', 'stable', 'edge', 'main', 'master', 'nightly']);
const SECRET_ENV_NAME = /PASSWORD|SECRET|TOKEN|API_KEY|DATABASE_URL|CREDENTIAL/i;

/** Splits an image reference into repository, tag and digest (a registry port is not a tag). */
function parseImage(ref) {
  const [nameAndTag, digest] = ref.split('@');
  const lastSlash = nameAndTag.lastIndexOf('/');
  const colon = nameAndTag.indexOf(':', lastSlash + 1);
  return colon === -1
    ? { repository: nameAndTag, tag: undefined, digest }
    : { repository: nameAndTag.slice(0, colon), tag: nameAndTag.slice(colon + 1), digest };
}

/** `--set` pairs of a case as an object, for case-dependent expectations. */
function setOf(values) {
  return Object.fromEntries(
    (values.set ?? []).map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]),
  );
}

/** The front doors a case renders: the Ingress (on by default, off in values-dev) and the HTTPRoute (the reverse). */
function frontDoors(values) {
  const set = setOf(values);
  const dev = (values.valuesFiles ?? []).includes('values-dev.yaml');
  const flag = (key, byDefault) => (set[key] === undefined ? byDefault : set[key] === 'true');
  return { ingress: flag('ingress.enabled', !dev), route: flag('httpRoute.enabled', dev) };
}

function isLocal(values) {
  return (
    setOf(values).environment === 'local' ||
    ((values.valuesFiles ?? []).includes('values-dev.yaml') && setOf(values).environment !== 'production')
  );
}

/** Secret values a case puts into the chart: what must never show up outside a Secret. */
function secretValues(values, docs) {
  const secrets = new Set();
  const set = setOf(values);
  for (const key of [
    'secrets.betterAuthSecret',
    'secrets.openaiApiKey',
    'postgresql.auth.password',
    'externalDatabase.url',
  ]) {
    if (set[key]) secrets.add(set[key]);
  }
  for (const doc of docs.filter((d) => d.kind === 'Secret')) {
    for (const value of Object.values(doc.data ?? {})) secrets.add(Buffer.from(value, 'base64').toString('utf8'));
    for (const value of Object.values(doc.stringData ?? {})) secrets.add(value);
  }
  return [...secrets].filter((value) => value.length >= 8);
}

for (const values of CASES) {
  describe(`policies: ${values.name}`, () => {
    const { docs } = render(values);
    const pods = podSpecs(docs);
    const longRunning = pods.filter((pod) => ['Deployment', 'StatefulSet'].includes(pod.kind));

    test('renders the workloads', () => {
      assert.ok(longRunning.length >= 2, 'expected at least the backend and frontend Deployments');
    });

    test('every container runs as non-root with a read-only root filesystem, no privilege escalation, all capabilities dropped and seccomp RuntimeDefault', () => {
      for (const pod of pods) {
        const podContext = pod.spec.securityContext ?? {};
        assert.ok(!pod.spec.hostNetwork && !pod.spec.hostPID && !pod.spec.hostIPC, `${pod.owner}: host namespaces`);
        for (const { name, container } of containers(pod.spec)) {
          const where = `${pod.owner} container ${name}`;
          const sc = container.securityContext ?? {};
          assert.equal(sc.runAsNonRoot ?? podContext.runAsNonRoot, true, `${where}: runAsNonRoot`);
          const uid = sc.runAsUser ?? podContext.runAsUser;
          assert.ok(Number.isInteger(uid) && uid > 0, `${where}: numeric non-root runAsUser, got ${uid}`);
          assert.equal(sc.readOnlyRootFilesystem, true, `${where}: readOnlyRootFilesystem`);
          assert.equal(sc.allowPrivilegeEscalation, false, `${where}: allowPrivilegeEscalation`);
          assert.notEqual(sc.privileged, true, `${where}: privileged`);
          assert.ok(sc.capabilities?.drop?.includes('ALL'), `${where}: capabilities.drop ALL`);
          assert.ok(!sc.capabilities?.add?.length, `${where}: capabilities.add`);
          const seccomp = sc.seccompProfile ?? podContext.seccompProfile;
          assert.equal(seccomp?.type, 'RuntimeDefault', `${where}: seccompProfile RuntimeDefault`);
        }
      }
    });

    test('nothing of live update without its switch: no hostPath volume, no command override, no development mode', () => {
      for (const pod of pods) {
        const hostPaths = (pod.spec.volumes ?? []).filter((volume) => volume.hostPath);
        assert.deepEqual(hostPaths, [], `${pod.owner}: hostPath volumes`);
        assert.equal(pod.template.metadata?.labels?.['todo-stack.dev/live-update'], undefined, `${pod.owner}: live-update label`);
        for (const { name, container } of containers(pod.spec)) {
          const where = `${pod.owner} container ${name}`;
          assert.ok(!(container.command ?? []).some((arg) => /--watch|^dev$/.test(arg)), `${where}: ${container.command}`);
          assert.ok(!(container.env ?? []).some((env) => env.name === 'NODE_ENV' && env.value === 'development'), `${where}: NODE_ENV=development`);
        }
      }
    });

    test('no pod mounts a ServiceAccount token', () => {
      for (const pod of pods) assert.equal(pod.spec.automountServiceAccountToken, false, pod.owner);
      for (const sa of docs.filter((doc) => doc.kind === 'ServiceAccount')) {
        assert.equal(sa.automountServiceAccountToken, false, `ServiceAccount/${sa.metadata.name}`);
      }
    });

    test('long-running containers have startup, liveness and readiness probes', () => {
      for (const pod of longRunning) {
        for (const { name, container, init } of containers(pod.spec)) {
          if (init) continue;
          for (const probe of ['startupProbe', 'livenessProbe', 'readinessProbe']) {
            assert.ok(container[probe], `${pod.owner} container ${name}: ${probe}`);
          }
        }
      }
    });

    test('every container sets CPU and memory requests and limits', () => {
      for (const pod of pods) {
        for (const { name, container } of containers(pod.spec)) {
          for (const kind of ['requests', 'limits']) {
            for (const resource of ['cpu', 'memory']) {
              assert.ok(
                container.resources?.[kind]?.[resource],
                `${pod.owner} container ${name}: resources.${kind}.${resource}`,
              );
            }
          }
        }
      }
    });

    test('every image is pinned: a tag that does not float, or a digest', () => {
      for (const pod of pods) {
        for (const { name, container } of containers(pod.spec)) {
          const { tag, digest } = parseImage(container.image);
          const where = `${pod.owner} container ${name}: image ${container.image}`;
          assert.ok(tag || digest, `${where} has neither tag nor digest`);
          if (tag) {
            assert.ok(!FLOATING_TAGS.has(tag.toLowerCase()), `${where} uses a floating tag`);
            assert.ok(!/^\d+$/.test(tag), `${where} pins only a major version`);
          }
        }
      }
    });

    test('no secret value appears outside a Secret (ConfigMaps, env literals, annotations, anywhere)', () => {
      const secrets = secretValues(values, docs);
      const external = (values.valuesFiles ?? []).includes('values-prod.yaml'); // existingSecret: no values here
      assert.ok(external || secrets.length > 0, 'expected secret values to look for');
      for (const doc of docs.filter((d) => d.kind !== 'Secret')) {
        const text = JSON.stringify(doc);
        for (const secret of secrets) {
          assert.ok(!text.includes(secret), `${doc.kind}/${doc.metadata.name} contains a secret value`);
        }
      }
      for (const pod of pods) {
        for (const { name, container } of containers(pod.spec)) {
          for (const env of container.env ?? []) {
            if (SECRET_ENV_NAME.test(env.name)) {
              assert.ok(
                env.valueFrom?.secretKeyRef && env.value === undefined,
                `${pod.owner} container ${name}: ${env.name} must come from a Secret`,
              );
            }
          }
        }
      }
    });

    test('pods carry app: todo and a tier; every resource the app.kubernetes.io labels', () => {
      for (const pod of pods) {
        const labels = pod.template.metadata.labels;
        assert.equal(labels.app, 'todo', pod.owner);
        assert.ok(
          ['frontend', 'backend', 'database', 'test'].includes(labels.tier),
          `${pod.owner}: tier ${labels.tier}`,
        );
      }
      for (const doc of docs) {
        const labels = doc.metadata.labels ?? {};
        for (const key of ['app.kubernetes.io/name', 'app.kubernetes.io/instance', 'app.kubernetes.io/managed-by']) {
          assert.ok(labels[key], `${doc.kind}/${doc.metadata.name}: label ${key}`);
        }
      }
    });

    test('the ingress routes / to the frontend and /api to the backend', () => {
      const ingresses = docs.filter((doc) => doc.kind === 'Ingress');
      if (!frontDoors(values).ingress) {
        assert.equal(ingresses.length, 0);
        return;
      }
      assert.equal(ingresses.length, 1);
      const [ingress] = ingresses;
      assert.equal(ingress.spec.ingressClassName, setOf(values)['ingress.className']);
      const paths = Object.fromEntries(
        ingress.spec.rules
          .flatMap((rule) => rule.http.paths)
          .map((p) => [p.path, { service: p.backend.service.name, type: p.pathType }]),
      );
      assert.deepEqual(Object.keys(paths).sort(), ['/', '/api']);
      assert.equal(paths['/'].service, find(docs, 'Service', '-frontend').metadata.name);
      assert.equal(paths['/api'].service, find(docs, 'Service', '-backend').metadata.name);
      assert.equal(paths['/api'].type, 'Prefix');
    });

    test('the HTTPRoute routes / to the frontend and /api to the backend, on a Gateway that exists or is named', () => {
      const routes = docs.filter((doc) => doc.kind === 'HTTPRoute');
      const gateways = docs.filter((doc) => doc.kind === 'Gateway');
      if (!frontDoors(values).route) {
        assert.equal(routes.length + gateways.length, 0);
        return;
      }
      assert.equal(routes.length, 1);
      const [route] = routes;
      const rules = Object.fromEntries(
        route.spec.rules.map((rule) => {
          assert.equal(rule.matches.length, 1);
          assert.equal(rule.matches[0].path.type, 'PathPrefix');
          assert.equal(rule.backendRefs.length, 1);
          return [rule.matches[0].path.value, rule.backendRefs[0]];
        }),
      );
      assert.deepEqual(Object.keys(rules).sort(), ['/', '/api']);
      for (const [path, component] of [
        ['/', '-frontend'],
        ['/api', '-backend'],
      ]) {
        const service = find(docs, 'Service', component);
        assert.equal(rules[path].name, service.metadata.name, path);
        assert.ok(
          service.spec.ports.some((port) => port.port === rules[path].port),
          `${path}: port ${rules[path].port}`,
        );
      }
      for (const parent of route.spec.parentRefs) {
        if (parent.namespace && parent.namespace !== route.metadata.namespace) continue;
        const gateway = find(docs, 'Gateway', parent.name);
        assert.ok(gateway, `Gateway ${parent.name} rendered`);
        for (const listener of gateway.spec.listeners) {
          assert.equal(listener.allowedRoutes.namespaces.from, 'Same');
          if (listener.protocol === 'HTTPS') assert.ok(listener.tls.certificateRefs[0].name);
        }
      }
    });

    test("the backend's NetworkPolicy lets in the pods of each front door rendered, and no other namespace", () => {
      const policy = docs.find((doc) => doc.kind === 'NetworkPolicy' && doc.metadata.name.endsWith('-backend'));
      if (!policy) return;
      const doors = frontDoors(values);
      // Rules on the API's port; any other is the metrics scraper's, on the metrics port alone (checked below).
      const apiRules = policy.spec.ingress.filter((rule) => rule.ports.every((port) => port.port === 'http'));
      const namespaces = apiRules
        .flatMap((rule) => rule.from)
        .filter((peer) => peer.namespaceSelector)
        .map((peer) => peer.namespaceSelector.matchLabels['kubernetes.io/metadata.name']);
      const set = setOf(values);
      const expected = [
        ...(doors.ingress ? [set['networkPolicy.ingressControllerNamespace'] ?? 'traefik'] : []),
        ...(doors.route ? [set['networkPolicy.gatewayNamespace'] ?? 'traefik'] : []),
      ];
      assert.deepEqual(namespaces, expected);
      for (const rule of policy.spec.ingress.filter((rule) => !apiRules.includes(rule)))
        assert.deepEqual(rule.ports, [{ port: 'metrics', protocol: 'TCP' }]);
    });

    test('PostgreSQL keeps its data on a PersistentVolumeClaim, behind a headless Service (or is external)', () => {
      const statefulSets = docs.filter((doc) => doc.kind === 'StatefulSet');
      if (setOf(values)['postgresql.enabled'] === 'false' || (values.valuesFiles ?? []).includes('values-prod.yaml')) {
        assert.equal(statefulSets.length, 0, 'no in-cluster database with an external one');
        return;
      }
      const sts = find(docs, 'StatefulSet', '-postgresql');
      const claims = sts.spec.volumeClaimTemplates ?? [];
      assert.equal(claims.length, 1, 'one volumeClaimTemplate');
      const mount = sts.spec.template.spec.containers[0].volumeMounts.find((m) => m.name === claims[0].metadata.name);
      assert.equal(mount?.mountPath, '/var/lib/postgresql/data', 'the claim holds the data directory');
      assert.ok(claims[0].spec.resources.requests.storage);
      const headless = find(docs, 'Service', sts.spec.serviceName);
      assert.equal(headless.spec.clusterIP, 'None');
    });

    test('a HorizontalPodAutoscaler exists only for components that enable it, and then owns the replica count', () => {
      const set = setOf(values);
      const prod = (values.valuesFiles ?? []).includes('values-prod.yaml');
      for (const component of ['backend', 'frontend']) {
        const enabled = prod || set[`${component}.autoscaling.enabled`] === 'true';
        const hpas = docs.filter(
          (doc) => doc.kind === 'HorizontalPodAutoscaler' && doc.metadata.name.endsWith(`-${component}`),
        );
        const deployment = find(docs, 'Deployment', `-${component}`);
        assert.equal(hpas.length, enabled ? 1 : 0, `${component} HPA`);
        if (enabled) {
          assert.equal(hpas[0].apiVersion, 'autoscaling/v2');
          assert.equal(hpas[0].spec.scaleTargetRef.name, deployment.metadata.name);
          assert.equal(deployment.spec.replicas, undefined, `${component}: replicas left to the HPA`);
        } else {
          assert.ok(deployment.spec.replicas >= 1);
        }
      }
    });

    test('NodePort 30080 only in local mode; the backend stays ClusterIP', () => {
      const local = isLocal(values);
      const frontend = find(docs, 'Service', '-frontend');
      for (const service of docs.filter((doc) => doc.kind === 'Service')) {
        const has30080 = service.spec.ports.some((port) => port.nodePort === 30080);
        assert.equal(has30080, local && service === frontend, `Service/${service.metadata.name}`);
      }
      if (local) assert.equal(frontend.spec.type, 'NodePort');
      assert.equal(find(docs, 'Service', '-backend').spec.type, 'ClusterIP');
    });

    test('Deployments roll with maxSurge 1 / maxUnavailable 0 and drain before stopping', () => {
      for (const deployment of docs.filter((doc) => doc.kind === 'Deployment')) {
        assert.deepEqual(deployment.spec.strategy, {
          type: 'RollingUpdate',
          rollingUpdate: { maxSurge: 1, maxUnavailable: 0 },
        });
        const spec = deployment.spec.template.spec;
        assert.ok(spec.containers[0].lifecycle?.preStop, `${deployment.metadata.name}: preStop`);
        assert.ok(spec.terminationGracePeriodSeconds > 0);
        assert.ok(deployment.spec.template.metadata.annotations['checksum/config'], 'checksum/config');
      }
    });

    test('resource names are unique per kind and valid DNS labels', () => {
      const seen = new Set();
      for (const doc of docs) {
        const key = `${doc.kind}/${doc.metadata.name}`;
        assert.ok(!seen.has(key), `duplicate ${key}`);
        seen.add(key);
        assert.match(doc.metadata.name, /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, key);
      }
    });
  });
}

describe('policies across renders', () => {
  const base = { set: TAGS };

  test('a config change changes checksum/config of that component only', () => {
    const before = render(base).docs;
    const after = render({ set: [...TAGS, 'backend.config.logLevel=debug'] }).docs;
    const checksum = (docs, component) =>
      find(docs, 'Deployment', `-${component}`).spec.template.metadata.annotations['checksum/config'];
    assert.notEqual(checksum(after, 'backend'), checksum(before, 'backend'));
    assert.equal(checksum(after, 'frontend'), checksum(before, 'frontend'));
  });

  test('no render carries an unsalted digest of secret values; a secret change never rolls the frontend nor the database', () => {
    // Offline (no lookup) each render is a new release with a salt of its own: the same values give another digest,
    // so checksum/secret is no function of the values an attacker could test guesses against. The salt is the one
    // the same render's Secret stores (memoised per render), so an install and its upgrades agree; the salted
    // digest that rolls the backend on a real upgrade is tested with a stored salt in tests/backend_deployment_test.yaml.
    const before = render(base).docs;
    const again = render(base).docs;
    const after = render({ set: [...TAGS, 'secrets.openaiApiKey=sk-rotated-0123456789'] }).docs;
    const checksum = (docs) =>
      find(docs, 'Deployment', '-backend').spec.template.metadata.annotations['checksum/secret'];
    const salt = (docs) => Buffer.from(find(docs, 'Secret').data.CHECKSUM_SALT, 'base64').toString();
    assert.match(checksum(before), /^[0-9a-f]{64}$/);
    assert.match(salt(before), /^[A-Za-z0-9]{32}$/);
    assert.notEqual(salt(again), salt(before), 'a new release gets a salt of its own');
    assert.notEqual(checksum(again), checksum(before), 'the same values, another salt: another digest');
    for (const [kind, suffix] of [
      ['Deployment', '-frontend'],
      ['StatefulSet', '-postgresql'],
    ]) {
      const template = (docs) => JSON.stringify(find(docs, kind, suffix).spec.template);
      assert.equal(template(after), template(before), `${kind} ${suffix} must not roll`);
    }
  });

  test('with existingSecret, checksum/secret follows that Secret (looked up at install time)', () => {
    const a = render({ set: [...TAGS, 'secrets.existingSecret=todo-credentials'] }).docs;
    const b = render({
      set: [...TAGS, 'secrets.existingSecret=todo-credentials', 'secrets.openaiApiKey=ignored-here-0123'],
    }).docs;
    const checksum = (docs) =>
      find(docs, 'Deployment', '-backend').spec.template.metadata.annotations['checksum/secret'];
    assert.match(checksum(a), /^[0-9a-f]{64}$/);
    assert.equal(checksum(a), checksum(b), 'chart values do not feed an existing Secret');
  });

  test('the same values render the same pod templates (no rollout on a re-deploy without changes)', () => {
    // Generated secrets are random on every offline render: pod templates must not depend on them. checksum/secret
    // is salted per release (a new salt on each offline render); with the release's stored salt it is a function of
    // the values alone (tests/backend_deployment_test.yaml), so it is compared there, not here.
    const withoutSecretDigest = (template) => {
      const annotations = { ...template.metadata?.annotations };
      delete annotations['checksum/secret'];
      return { ...template, metadata: { ...template.metadata, annotations } };
    };
    const templates = (docs) => JSON.stringify(podSpecs(docs).map((pod) => withoutSecretDigest(pod.template)));
    assert.equal(templates(render(base).docs), templates(render(base).docs));
  });

  test('a new backend tag rolls the backend only', () => {
    const before = render(base).docs;
    const after = render({ set: ['backend.image.tag=0a1b2c3d4e5f', TAGS[1]] }).docs;
    const template = (docs, component) => JSON.stringify(find(docs, 'Deployment', `-${component}`).spec.template);
    assert.notEqual(template(after, 'backend'), template(before, 'backend'));
    assert.equal(template(after, 'frontend'), template(before, 'frontend'));
  });

  test('--set backend.replicas=3 gives 3 backend replicas', () => {
    const { docs } = render({ set: [...TAGS, 'backend.replicas=3'] });
    assert.equal(find(docs, 'Deployment', '-backend').spec.replicas, 3);
    assert.equal(find(docs, 'Deployment', '-frontend').spec.replicas, 2);
  });

  test('existingSecret is used by every pod and the chart creates no Secret', () => {
    const { docs } = render({ set: [...TAGS, 'secrets.existingSecret=todo-credentials'] });
    assert.equal(docs.filter((doc) => doc.kind === 'Secret').length, 0);
    const refs = podSpecs(docs).flatMap((pod) =>
      containers(pod.spec).flatMap(({ container }) =>
        (container.env ?? [])
          .filter((env) => env.valueFrom?.secretKeyRef)
          .map((env) => env.valueFrom.secretKeyRef.name),
      ),
    );
    assert.ok(refs.length >= 4, 'backend, migrations and PostgreSQL read the Secret');
    assert.deepEqual([...new Set(refs)], ['todo-credentials']);
  });

  test('the generated Secret holds a DATABASE_URL that matches the PostgreSQL password', () => {
    const { docs } = render({ set: [...TAGS, 'postgresql.auth.password=p@ss w+rd/1'] });
    const data = Object.fromEntries(
      Object.entries(find(docs, 'Secret').data).map(([k, v]) => [k, Buffer.from(v, 'base64').toString()]),
    );
    assert.equal(data.POSTGRES_PASSWORD, 'p@ss w+rd/1');
    const url = new URL(data.DATABASE_URL);
    assert.equal(decodeURIComponent(url.password), 'p@ss w+rd/1');
    assert.equal(url.hostname, find(docs, 'Service', '-postgresql').metadata.name);
    assert.ok(data.BETTER_AUTH_SECRET.length >= 32);
  });

  test('an external database URL goes to the Secret only, and must use TLS', () => {
    const { docs } = render({
      set: [...TAGS, 'postgresql.enabled=false', `externalDatabase.url=${EXTERNAL_DATABASE_URL}`],
    });
    assert.equal(Buffer.from(find(docs, 'Secret').data.DATABASE_URL, 'base64').toString(), EXTERNAL_DATABASE_URL);
    const insecure = render(
      { set: [...TAGS, 'postgresql.enabled=false', 'externalDatabase.url=postgres://u:p@db.example.com/todo'] },
      { allowFailure: true },
    );
    assert.match(insecure.error, /externalDatabase\.url: add \?sslmode=require/);
  });

  test('rendering without an image tag, or with a floating one, fails with what to do', () => {
    const missing = render({}, { allowFailure: true });
    assert.match(missing.error, /backend\.image\.tag: empty\. Pass the image's content tag/);
    assert.match(missing.error, /frontend\.image\.tag: empty/);
    const floating = render({ set: ['backend.image.tag=latest', TAGS[1]] }, { allowFailure: true });
    assert.match(floating.error, /backend\.image\.tag: "latest" is a floating tag/);
  });

  test('live update renders only with environment=local and the workspace path, and then mounts the workspace', () => {
    const live = ['liveUpdate.enabled=true', 'liveUpdate.workspace=/todo-stack'];
    const prod = render({ valuesFiles: ['values-prod.yaml'], set: [...TAGS, ...live] }, { allowFailure: true });
    assert.match(prod.error, /liveUpdate\.enabled: live update .* environment=local only/);
    const { docs } = render({ valuesFiles: ['values-dev.yaml'], set: [...TAGS, ...live] });
    const hostPaths = podSpecs(docs).flatMap((pod) => (pod.spec.volumes ?? []).flatMap((v) => v.hostPath?.path ?? []));
    assert.deepEqual(hostPaths.sort(), ['/todo-stack', '/todo-stack', '/todo-stack/apps/frontend/next-env.d.ts']);
  });

  test('names stay within 63 characters with a long release name', () => {
    const { docs } = render(base, { release: 'a-very-long-release-name-for-testing-name-truncation' });
    for (const doc of docs) assert.ok(doc.metadata.name.length <= 63, `${doc.kind}/${doc.metadata.name}`);
    const names = docs.map((doc) => `${doc.kind}/${doc.metadata.name}`);
    assert.equal(new Set(names).size, names.length, 'names stay unique after truncation');
  });
});
