import { randomBytes } from 'node:crypto';

// The values combinations every chart check runs over: helm lint --strict, helm template + schema validation, and
// the policy tests. Image tags stand in for the content tags the deploy executor passes.
export const TAGS = ['backend.image.tag=3f2a9c1d5e7b', 'frontend.image.tag=7b4e0a2f9c1d'];

// A hosted-database URL (Neon-style, TLS) with a password made up per run: nothing credential-like is committed, and
// the policy tests can still search every rendered manifest for it.
export const EXTERNAL_DATABASE_URL = `postgres://todo:${randomBytes(12).toString('hex')}@db.example.test/todo?sslmode=require`;

/** @type {{ name: string, valuesFiles?: string[], set?: string[] }[]} */
export const CASES = [
  { name: 'default', set: TAGS },
  { name: 'values-dev.yaml', valuesFiles: ['values-dev.yaml'], set: TAGS },
  { name: 'values-prod.yaml', valuesFiles: ['values-prod.yaml'], set: TAGS },
  { name: 'environment=local', set: [...TAGS, 'environment=local'] },
  { name: 'environment=production', set: [...TAGS, 'environment=production'] },
  {
    name: 'external database (Neon)',
    set: [...TAGS, 'postgresql.enabled=false', `externalDatabase.url=${EXTERNAL_DATABASE_URL}`],
  },
  {
    name: 'everything on',
    set: [
      ...TAGS,
      'backend.autoscaling.enabled=true',
      'frontend.autoscaling.enabled=true',
      'backend.autoscaling.targetMemory=80',
      'networkPolicy.enabled=true',
      'ingress.tls=true',
      'frontend.service.type=LoadBalancer',
      'imagePullSecrets[0].name=regcred',
      'secrets.openaiApiKey=sk-test-0123456789abcdef',
      'secrets.betterAuthSecret=0123456789abcdef0123456789abcdef-given',
      'postgresql.auth.password=pa ss+w/rd@#1',
      'backend.image.digest=sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
      // The ServiceMonitor is a CRD kubeconform has no schema for: helm-unittest covers it (backend_metrics_test.yaml).
      'metrics.dashboard.enabled=true',
    ],
  },
  {
    name: 'local without a Gateway or ingress',
    valuesFiles: ['values-dev.yaml'],
    set: [
      ...TAGS,
      'httpRoute.enabled=false',
      'gateway.create=false',
      'backend.podAntiAffinityPreset=hard',
      'frontend.replicas=1',
    ],
  },
  {
    name: 'local with an ingress instead of the route',
    valuesFiles: ['values-dev.yaml'],
    set: [
      ...TAGS,
      'httpRoute.enabled=false',
      'gateway.create=false',
      'ingress.enabled=true',
      'ingress.className=traefik',
    ],
  },
  {
    name: "values-prod.yaml with an HTTPRoute on the cluster's Gateway",
    valuesFiles: ['values-prod.yaml'],
    set: [
      ...TAGS,
      'ingress.enabled=false',
      'httpRoute.enabled=true',
      'httpRoute.parentRefs[0].name=shared',
      'httpRoute.parentRefs[0].namespace=gateways',
      'httpRoute.parentRefs[0].sectionName=https',
      'networkPolicy.gatewayNamespace=gateways',
    ],
  },
  {
    name: "a Gateway of the release's own with HTTPS",
    set: [
      ...TAGS,
      'ingress.enabled=false',
      'httpRoute.enabled=true',
      'gateway.create=true',
      'httpRoute.hostnames[0]=todo.example.com',
    ],
  },
];
