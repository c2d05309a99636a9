/** What to do when a tool is missing: one line each, the same words as minikube/lib.sh. */
export const TOOL_ADVICE: Record<string, string> = {
  minikube:
    'minikube is not installed: see https://minikube.sigs.k8s.io/docs/start/ (Linux: curl -LO https://storage.googleapis.com/minikube/releases/latest/minikube-linux-amd64 && sudo install minikube-linux-amd64 /usr/local/bin/minikube; macOS: brew install minikube; Windows: winget install Kubernetes.minikube)',
  docker:
    "docker is not installed: Minikube's docker driver and the image builds need it. Install Docker Desktop (macOS/Windows) or Docker Engine (Linux: https://docs.docker.com/engine/install/), then start it",
  kubectl:
    "kubectl is not installed: https://kubernetes.io/docs/tasks/tools/ (or use 'minikube kubectl --' in its place)",
  helm: 'helm is not installed: https://helm.sh/docs/intro/install/ (macOS: brew install helm; Linux: the release tarball, or tools/helm/install-helm.sh which builds it with Go)',
};

export const TROUBLESHOOTING = 'docs/troubleshooting.md';
