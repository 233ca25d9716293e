#!/usr/bin/env bash
# One command to a running server: installs what is missing, builds (Release), creates a
# deployment in ./var on first use, and serves it in the foreground on 127.0.0.1:7443.
# Environment: JIJIAN_DATA (default ./var), JIJIAN_LISTEN (default 127.0.0.1:7443).
set -euo pipefail
cd "$(dirname "$0")/.."
data=${JIJIAN_DATA:-./var}
listen=${JIJIAN_LISTEN:-127.0.0.1:7443}

scripts/setup.sh
scripts/build.sh build-release Release -DJIJIAN_BUILD_TESTS=OFF

if [[ ! -e "$data" ]]; then
  build-release/server/jijian-server init --data "$data" --listen "$listen"
fi

cat <<MSG

jijian-server is starting on $listen (data: $data). Stop it with Ctrl-C.
In another terminal, try:

  $(pwd)/build-release/client/jijian --profile $data/profiles/admin.toml whoami

MSG
exec build-release/server/jijian-server --data "$data"
