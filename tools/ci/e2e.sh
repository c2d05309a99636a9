#!/usr/bin/env bash
# CI stage: browser end-to-end tests against production builds of both apps and a real PostgreSQL.
#
#   bash tools/ci/e2e.sh
#
# 1. Chromium from Debian (apt-get install chromium) when /usr/bin/chromium (or CHROMIUM_PATH) is missing; no
#    browser download by Playwright (PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1; the config points at Debian's Chromium).
# 2. PostgreSQL through tools/ci/postgres.sh (idempotent; shared, left running) unless TEST_POSTGRES_URL is set.
# 3. `nx run frontend-e2e:e2e`: builds backend and frontend (Nx-cached), then the @playwright/test suites in
#    apps/frontend-e2e/src (apps/frontend-e2e/playwright.config.mjs): the user journey (sign-up, tasks by form and chat, sign-out/in, second user, expired
#    session, backend down, axe on sign-in/tasks/chat) and the runtime BACKEND_URL check.
# Screenshots land in dist/e2e-screenshots.
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/../shell/common.sh"
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
[[ -x node_modules/.bin/nx ]] || die "node_modules is missing: run npm ci first."

export CHROMIUM_PATH=${CHROMIUM_PATH:-/usr/bin/chromium}
if [[ ! -x $CHROMIUM_PATH ]]; then
  log "installing Chromium (apt)"
  SUDO=$([[ $(id -u) == 0 ]] && echo "" || echo sudo)
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends chromium >/dev/null ||
    { $SUDO apt-get update >/dev/null && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends chromium >/dev/null; } ||
    die "could not install chromium with apt-get"
fi
log "browser: $("$CHROMIUM_PATH" --version 2>/dev/null || echo "$CHROMIUM_PATH")"

if [[ -z ${TEST_POSTGRES_URL:-} ]]; then
  eval "$(tools/ci/postgres.sh start)"
fi
export TEST_POSTGRES_URL PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 NX_TUI=false

rm -rf dist/e2e-screenshots
start=$(date +%s)
npx nx run frontend-e2e:e2e --outputStyle=static
log "passed in $(($(date +%s) - start)) s; screenshots: $(find dist/e2e-screenshots -type f 2>/dev/null | wc -l) in dist/e2e-screenshots"
