#!/usr/bin/env bash
# make demo: local broker, the worker, the seed articles published, enriched records shown as they arrive.
set -euo pipefail
WS=.venv/bin/wirestream
mkdir -p .wirestream
$WS broker start
echo "starting the worker (log: .wirestream/worker.log; dashboard: http://127.0.0.1:${WIRESTREAM_WEB_PORT:-6066}/dashboard)"
$WS worker --loglevel info > .wirestream/worker.log 2>&1 &
WORKER=$!
cleanup() {
  trap - EXIT INT TERM
  echo; echo "stopping worker and broker"
  kill -TERM "$WORKER" 2>/dev/null || true
  wait "$WORKER" 2>/dev/null || true
  $WS broker stop || true
}
trap cleanup EXIT
trap 'cleanup; exit 0' INT TERM
$WS publish seeds/
echo "enriched records as they arrive (Ctrl-C to stop):"
$WS tail --from-beginning --pretty || true
