#!/usr/bin/env bash
# Prints the path of a versitygw binary, the S3 server the blob store's S3 tests run against
# (services/platform/blob/blobtest.StartS3 finds it at the same path). It builds the pinned
# version from the Go module proxy once and keeps it in a directory beside the module cache,
# keyed by version, so CI runs on the same machine reuse it instead of spending ~90 s each.
# Only the path goes to standard output; the build's output goes to standard error.
#
#   WENMING_VERSITYGW="$(.ci/versitygw.sh)" go test ./services/platform/blob/...
set -euo pipefail

version=v1.8.0
export GOTOOLCHAIN="${GOTOOLCHAIN:-go1.27.3}"
# The project's GOFLAGS (-mod=readonly in .ci/run) are about our module, not this tool's build.
export GOFLAGS=

tools="${WENMING_TOOLS_DIR:-$(go env GOMODCACHE)/../wenming-tools}"
mkdir -p "$tools/versitygw-$version"
dir="$(cd "$tools/versitygw-$version" && pwd -P)"
bin="$dir/versitygw"

# A binary is reused only if its build information names the pinned module version, so a
# file left by anything else at this path is rebuilt rather than trusted.
if [ -x "$bin" ] && go version -m "$bin" 2>/dev/null | grep -q "github.com/versity/versitygw[[:space:]]*$version"; then
  echo "$bin"
  exit 0
fi

# Build into a private directory and rename into place, so a concurrent run or an
# interrupted build never leaves a half-written binary at the cached path.
work="$(mktemp -d "$dir/.build.XXXXXX")"
trap 'rm -rf "$work"' EXIT
echo "building versitygw $version into $dir (about 90 s on 2 cores)" >&2
(cd "$work" && GOBIN="$work" go install "github.com/versity/versitygw/cmd/versitygw@$version") >&2
mv -f "$work/versitygw" "$bin"
echo "$bin"
